/* The store's schema scripts, schemas/NNN_name.sql, compiled into p3 by
 * tools/embed_sql.sh in ascending order of NNN, the schema version each
 * script brings the store to. */
#ifndef P3_SCHEMA_SCRIPTS_H
#define P3_SCHEMA_SCRIPTS_H

typedef struct schema_script {
    int version;      /* NNN: applying the script brings the store to this version */
    const char *name; /* the file name, for messages */
    const char *sql;  /* the script */
} schema_script;

extern const schema_script schema_scripts[];
extern const int schema_script_count;

#endif
