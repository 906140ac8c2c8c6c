/* JMeter results as XML (a .jtl file with jmeter.save.saveservice.
 * output_format=xml): <testResults version="1.2"> holding one <sample> or
 * <httpSample> element per sample, its attributes the saved fields (t
 * elapsed, ts epoch ms, lb label, s success, na/ng active threads, rm
 * response message), sub-results nested inside their sample. Read with
 * libxml2's streaming xmlTextReader, in constant memory, with network
 * access, DTDs and entity substitution off. Registers itself as
 * jtl_xml_format ("jmeter-xml"); LOADTEST-FORMATS.md, section 1. */
#include <errno.h>
#include <libxml/xmlreader.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "jtl_reader.h"
#include "load_sink.h"
#include "status.h"
#include "text.h"
#include "xalloc.h"

/* Depth of nesting followed (libxml2 refuses more than 256 without
 * XML_PARSE_HUGE). */
#define MAX_DEPTH 512

/* The last bytes of input kept to find an attribute's column: the
 * parser reads ahead of the element being reported, by a few KiB. */
#define HISTORY 262144

/* What an open element is, for the elements nested in it. */
typedef enum kind {
    KIND_OTHER,      /* not a sample: samples inside are not read */
    KIND_ROOT,       /* <testResults>: samples inside are samples */
    KIND_SAMPLE,     /* a sample (or sub-result): samples inside are sub-results */
    KIND_TRANSACTION /* a Transaction Controller's parent sample: samples inside are
                        its children, samples in their own right */
} kind;

/* libxml2's errors held: it stops at the first fatal one, so only its
 * warnings could be more. */
#define MAX_PARSE_ERRORS 64

/* An error libxml2 reported, held until the reader knows whether the file
 * was only cut short. */
typedef struct parse_error {
    long line, col;
    bool warning;
    char *message;
} parse_error;

/* The input, fed to libxml2 through read_input(): gzip or plain. */
typedef struct input {
    gzFile gz;
    bool failed;             /* gzread failed */
    char *history;           /* the last bytes read, to find columns */
    size_t history_len;
    long history_line;       /* line number of history[0] */
    long line;               /* lines started so far (1 + newlines read) */
    long last_text_line;     /* line of the last byte that is not white space */
} input;

/* One file being read. */
typedef struct reader {
    const load_sink *sink;
    diag_file df;
    input in;
    xmlTextReaderPtr xml;
    xmlDocPtr doc;            /* the reader's document, when read_rest() took it */
    kind open[MAX_DEPTH];     /* the kind of each open element, by depth */
    bool root_seen;
    bool url_encoded;         /* version="1.0": labels are URL-encoded */
    char *version;
    char *label;              /* the current sample's label, decoded */
    size_t label_len, label_cap;
    char *message;            /* its response message, decoded */
    size_t message_cap;
    parse_error *errors;      /* libxml2's, held */
    size_t error_count;
    long last_sample_line;    /* to tell apart samples that start on one line */
    int same_line_index;
    bool has_na, has_ng;
    jtl_reader_runs runs;
    int status;               /* STATUS_FAILURE once the sink or the input failed */
} reader;

/* ---- Input ---- */

static void keep_history(input *in, const char *buf, size_t n)
{
    if (in->history_len + n > 2 * HISTORY) {
        /* Drop the oldest bytes, counting their lines. */
        size_t drop = in->history_len + n - HISTORY;
        if (drop > in->history_len)
            drop = in->history_len;
        for (size_t i = 0; i < drop; i++)
            in->history_line += in->history[i] == '\n';
        memmove(in->history, in->history + drop, in->history_len - drop);
        in->history_len -= drop;
    }
    if (n > 2 * HISTORY) {
        for (size_t i = 0; i < in->history_len; i++)
            in->history_line += in->history[i] == '\n';
        for (size_t i = 0; i < n - HISTORY; i++)
            in->history_line += buf[i] == '\n';
        in->history_len = 0;
        buf += n - HISTORY;
        n = HISTORY;
    }
    memcpy(in->history + in->history_len, buf, n);
    in->history_len += n;
}

static int read_input(void *ctx, char *buf, int len)
{
    input *in = ctx;
    int n = gzread(in->gz, buf, (unsigned)len);
    if (n < 0) {
        in->failed = true;
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char c = buf[i];
        if (c == '\n')
            in->line++;
        else if (c != ' ' && c != '\t' && c != '\r')
            in->last_text_line = in->line;
    }
    keep_history(in, buf, (size_t)n);
    return n;
}

static int close_input(void *ctx)
{
    (void)ctx; /* closed by the reader */
    return 0;
}

/* ---- Errors ---- */

#if LIBXML_VERSION >= 21200
static void on_xml_error(void *ctx, const xmlError *e)
#else
static void on_xml_error(void *ctx, xmlErrorPtr e)
#endif
{
    reader *r = ctx;
    if (e->level == XML_ERR_NONE || r->error_count >= MAX_PARSE_ERRORS)
        return;
    /* libxml2's text, on one line: "a !\nBytes: ..." becomes "a; bytes: ...". */
    const char *m = e->message ? e->message : "malformed XML";
    size_t n = strlen(m);
    char *message = xmalloc(2 * n + 1);
    size_t o = 0, start = 0; /* start: where the current sentence begins */
    for (size_t i = 0; i < n; i++) {
        if (m[i] == ' ' && i + 1 < n && m[i + 1] == '!')
            continue;
        if (m[i] == '!' && i > 0 && m[i - 1] == ' ')
            continue;
        if (m[i] == '\n') {
            if (i + 1 < n) {
                memcpy(message + o, "; ", 2);
                o += 2;
                start = o;
            }
            continue;
        }
        message[o] = m[i];
        /* Lower the capital that starts a sentence, unless it starts a word in capitals. */
        if (o == start && m[i] >= 'A' && m[i] <= 'Z' && !(i + 1 < n && m[i + 1] >= 'A' &&
                                                           m[i + 1] <= 'Z'))
            message[o] = (char)(m[i] - 'A' + 'a');
        o++;
    }
    while (o > 0 && (message[o - 1] == ' ' || message[o - 1] == '.' || message[o - 1] == ';'))
        o--;
    /* libxml2 quotes the input's bytes in its messages ("... for
     * attribute it\xCC") as they are. */
    char *clean = text_escape_controls(message, o, false);
    free(message);
    r->errors = xreallocarray(r->errors, r->error_count + 1, sizeof *r->errors);
    r->errors[r->error_count++] =
        (parse_error){e->line, e->int2 > 0 ? e->int2 : 1, e->level == XML_ERR_WARNING, clean};
}

/* Whether s[0..len) at p is "<name" ending there (space, '/' or '>'). */
static bool tag_at(const char *s, size_t len, size_t p, const char *name)
{
    size_t n = strlen(name);
    if (p + 1 + n >= len || s[p] != '<' || memcmp(s + p + 1, name, n) != 0)
        return false;
    char c = s[p + 1 + n];
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' || c == '>';
}

/* Finds, in the input kept, the value of attribute attr of the index-th
 * sample element whose start tag ends on line (libxml2 numbers an element
 * by the line of its start tag's '>'): the line and column of the value,
 * or with attr NULL of the tag's '<'. False when the input kept does not
 * reach back there. */
static bool find_attribute(const input *in, long line, int index, const char *attr, long *at_line,
                           long *at_col)
{
    const char *h = in->history;
    size_t len = in->history_len, n = attr ? strlen(attr) : 0;
    long l = in->history_line;
    size_t line_start = 0;
    int k = 0;
    for (size_t p = 0; p < len && l <= line; p++) {
        if (h[p] == '\n') {
            l++;
            line_start = p + 1;
            continue;
        }
        if (!tag_at(h, len, p, "sample") && !tag_at(h, len, p, "httpSample"))
            continue;
        /* The tag: where its '>' is, and where attr's value starts. */
        long tag_line = l, value_line = 0, value_col = 0;
        size_t tag_line_start = line_start, q = p + 1;
        char quote = 0;
        for (; q < len && (quote || h[q] != '>'); q++) {
            char c = h[q];
            if (c == '\n') {
                tag_line++;
                tag_line_start = q + 1;
            }
            if (quote) {
                quote = c == quote ? 0 : quote;
                continue;
            }
            if (c == '"' || c == '\'') {
                quote = c;
                continue;
            }
            bool boundary = h[q - 1] == ' ' || h[q - 1] == '\t' || h[q - 1] == '\n' ||
                            h[q - 1] == '\r';
            if (!attr || value_line || !boundary || q + n >= len || memcmp(h + q, attr, n) != 0)
                continue;
            size_t v = q + n;
            while (v < len && (h[v] == ' ' || h[v] == '\t'))
                v++;
            if (v >= len || h[v] != '=')
                continue;
            v++;
            while (v < len && (h[v] == ' ' || h[v] == '\t'))
                v++;
            if (v < len && (h[v] == '"' || h[v] == '\''))
                v++;
            value_line = tag_line;
            value_col = (long)(v - tag_line_start) + 1;
        }
        if (q >= len)
            return false;
        if (tag_line == line && k++ == index) {
            if (!attr) {
                value_line = l;
                value_col = (long)(p - line_start) + 1;
            }
            if (!value_line)
                return false;
            *at_line = value_line;
            *at_col = value_col;
            return true;
        }
    }
    return false;
}

/* The line and column of the first text in the input kept (1:1 when it is
 * not there). */
static void find_text(const input *in, const char *text, long *line, long *col)
{
    size_t n = strlen(text), line_start = 0;
    long l = in->history_line;
    *line = 1;
    *col = 1;
    for (size_t p = 0; p + n <= in->history_len; p++) {
        if (in->history[p] == '\n') {
            l++;
            line_start = p + 1;
        } else if (memcmp(in->history + p, text, n) == 0) {
            *line = l;
            *col = (long)(p - line_start) + 1;
            return;
        }
    }
}

/* ---- Samples ---- */

/* Where to report a problem with attribute attr of the current sample. */
static void locate(const reader *r, long node_line, const char *attr, long *line, long *col)
{
    *line = node_line;
    *col = 1;
    long l, c;
    if (find_attribute(&r->in, node_line, r->same_line_index, attr, &l, &c)) {
        *line = l;
        *col = c;
    }
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 32);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Copies s[0..len) into *buf (grown as needed), decoding a version 1.0
 * file's URL encoding ('+' a space, %XX a byte) when url is set; returns
 * the length. */
static size_t copy_text(bool url, const char *s, size_t len, char **buf, size_t *cap)
{
    if (len + 1 > *cap) {
        *cap = len + 64;
        *buf = xrealloc(*buf, *cap);
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (url && c == '+') {
            c = ' ';
        } else if (url && c == '%' && i + 2 < len && hex_digit(s[i + 1]) >= 0 &&
                   hex_digit(s[i + 2]) >= 0) {
            c = (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
            i += 2;
        }
        (*buf)[o++] = c;
    }
    (*buf)[o] = '\0';
    return o;
}

/* The attributes of an element: the reader's current one, or a node of
 * the tree (read_rest()). */
typedef struct attr_source {
    xmlTextReaderPtr xml; /* the reader's current element; NULL for a node */
    xmlAttrPtr next;      /* the node's attributes not yet returned */
    xmlChar *value;       /* the node's value last returned, freed on the next call */
} attr_source;

/* The next attribute's name and value (valid until the next call). */
static bool next_attribute(attr_source *a, const char **name, const char **value)
{
    if (a->xml) {
        if (xmlTextReaderMoveToNextAttribute(a->xml) != 1) {
            xmlTextReaderMoveToElement(a->xml);
            return false;
        }
        *name = (const char *)xmlTextReaderConstName(a->xml);
        *value = (const char *)xmlTextReaderConstValue(a->xml);
    } else {
        xmlFree(a->value);
        a->value = NULL;
        if (!a->next)
            return false;
        xmlAttrPtr at = a->next;
        a->next = at->next;
        a->value = xmlNodeListGetString(at->doc, at->children, 1);
        *name = (const char *)at->name;
        *value = (const char *)a->value;
    }
    if (!*name)
        *name = "";
    if (!*value)
        *value = "";
    return true;
}

/* Reads a sample element starting on node_line and passes it on; returns
 * the kind it is for the elements nested in it. */
static kind read_sample(reader *r, kind parent, const char *element, long node_line,
                        attr_source *attrs)
{
    if (node_line == r->last_sample_line) {
        r->same_line_index++;
    } else {
        r->last_sample_line = node_line;
        r->same_line_index = 0;
    }
    bool ok = true, has_t = false, has_ts = false, has_label = false;
    long long t = 0;
    int64_t ts = 0;
    int success = -1;
    long na = -1, ng = -1;
    bool transaction = false;
    long line, col;
    char quoted[80];
    const char *name, *value;
    while (next_attribute(attrs, &name, &value)) {
        size_t len = strlen(value);
        long long v;
        bool number = jtl_reader_parse_long(value, len, &v);
        if (strcmp(name, "t") == 0) {
            has_t = true;
            if (number && v >= 0 && (double)v <= LOAD_MAX_DELAY_MS) {
                t = v;
            } else {
                locate(r, node_line, "t", &line, &col);
                ok &= jtl_reader_delay(&r->df, line, col, "attribute t", value, len, &t);
            }
        } else if (strcmp(name, "ts") == 0) {
            has_ts = true;
            if (number && v >= 0 && v < JTL_READER_MAX_EPOCH_MS) {
                ts = v;
            } else {
                locate(r, node_line, "ts", &line, &col);
                ok &= jtl_reader_epoch_ms(&r->df, line, col, "attribute ts", value, len, &ts);
            }
        } else if (strcmp(name, "s") == 0) {
            bool b;
            if (jtl_reader_parse_bool(value, len, &b)) {
                success = b;
            } else {
                locate(r, node_line, "s", &line, &col);
                diag_file_error(&r->df, line, col, "bad attribute s %s: expected true or false",
                                diag_quote(quoted, sizeof quoted, value, len));
                ok = false;
            }
        } else if (strcmp(name, "na") == 0 || strcmp(name, "ng") == 0) {
            bool all = name[1] == 'a';
            if (number && v >= 0 && v <= INT_MAX) {
                *(all ? &na : &ng) = (long)v;
            } else {
                locate(r, node_line, name, &line, &col);
                ok &= jtl_reader_threads(&r->df, line, col, all ? "attribute na" : "attribute ng",
                                         value, len, all ? &na : &ng);
            }
            r->has_na |= all;
            r->has_ng |= !all;
        } else if (strcmp(name, "lb") == 0) {
            has_label = true;
            r->label_len = copy_text(r->url_encoded, value, len, &r->label, &r->label_cap);
        } else if (strcmp(name, "rm") == 0) {
            size_t n = copy_text(r->url_encoded, value, len, &r->message, &r->message_cap);
            transaction = jtl_reader_is_transaction(r->message, n);
        }
    }
    if (!has_t || !has_ts) {
        locate(r, node_line, NULL, &line, &col);
        diag_file_error(&r->df, line, col, "<%s> has no attribute %s (%s): JMeter writes it "
                        "unless jmeter.save.saveservice.%s=false", element,
                        has_t ? "ts" : "t", has_t ? "the start time" : "the elapsed time",
                        has_t ? "timestamp" : "time");
        ok = false;
    }
    if (has_label) {
        size_t bad = text_utf8_invalid_at(r->label, r->label_len);
        if (bad < r->label_len) {
            locate(r, node_line, "lb", &line, &col);
            diag_file_error(&r->df, line, col,
                            "attribute lb holds a byte that is not UTF-8 (0x%02X)",
                            (unsigned char)r->label[bad]);
            ok = false;
        }
    }
    kind mine = transaction ? KIND_TRANSACTION : KIND_SAMPLE;
    if (!ok || r->df.errors || r->status)
        return mine;
    jtl_reader_runs_see(&r->runs, &r->df, node_line, 1, ts, t);
    load_sample s = {.t_ns = ts * 1000000,
                     .delay_ms = (double)t,
                     .label = has_label ? r->label : NULL,
                     .label_len = has_label ? r->label_len : 0,
                     .ok = success,
                     .concurrency = na >= 0 ? na : ng,
                     .weight = 1,
                     .role = transaction            ? LOAD_TRANSACTION
                             : parent == KIND_SAMPLE ? LOAD_SUB
                                                     : LOAD_SAMPLE};
    if (r->sink->sample(r->sink->ctx, &s))
        r->status = STATUS_FAILURE;
    return mine;
}

/* Handles the start of an element named name at depth, starting on line;
 * false when reading must stop. */
static bool on_element(reader *r, const char *name, int depth, bool empty, long line,
                       attr_source *attrs)
{
    if (depth == 0) {
        if (strcmp(name, "testResults") != 0) {
            char quoted[80];
            diag_file_error(&r->df, line, 1,
                            "not JMeter results: the root element is %s, expected 'testResults'",
                            diag_quote(quoted, sizeof quoted, name, strlen(name)));
            return false;
        }
        r->root_seen = true;
        const char *attr, *value;
        while (next_attribute(attrs, &attr, &value))
            if (strcmp(attr, "version") == 0) {
                free(r->version);
                r->version = xstrdup(value);
                r->url_encoded = strcmp(value, "1.0") == 0;
            }
        r->open[0] = KIND_ROOT;
        return true;
    }
    kind parent = depth - 1 < MAX_DEPTH ? r->open[depth - 1] : KIND_OTHER;
    kind mine = KIND_OTHER;
    bool sample = strcmp(name, "sample") == 0 || strcmp(name, "httpSample") == 0;
    if (sample && parent != KIND_OTHER)
        mine = read_sample(r, parent, name, line, attrs);
    if (!empty && depth < MAX_DEPTH)
        r->open[depth] = mine;
    return r->status == STATUS_OK;
}

/* The element the reader is on. */
static bool on_reader_element(reader *r)
{
    const xmlChar *name = xmlTextReaderConstLocalName(r->xml);
    attr_source attrs = {.xml = r->xml};
    return on_element(r, name ? (const char *)name : "", xmlTextReaderDepth(r->xml),
                      xmlTextReaderIsEmptyElement(r->xml) == 1,
                      xmlGetLineNo(xmlTextReaderCurrentNode(r->xml)), &attrs);
}

/* The node after n's subtree in document order, or NULL. */
static xmlNodePtr successor(xmlNodePtr n)
{
    while (n && n->type != XML_DOCUMENT_NODE && !n->next)
        n = n->parent;
    return n && n->type != XML_DOCUMENT_NODE ? n->next : NULL;
}

/* After libxml2 stopped at the end of a file cut short: the elements it
 * had parsed that the reader had not passed on yet (the reader runs a
 * chunk behind the parser), from n on in document order. */
static void read_rest(reader *r, xmlNodePtr n)
{
    while (n && r->status == STATUS_OK) {
        if (n->type == XML_ELEMENT_NODE) {
            int depth = 0;
            for (xmlNodePtr p = n->parent; p && p->type != XML_DOCUMENT_NODE; p = p->parent)
                depth++;
            attr_source attrs = {.next = n->properties};
            bool go_on = on_element(r, n->name ? (const char *)n->name : "", depth,
                                    n->children == NULL, xmlGetLineNo(n), &attrs);
            xmlFree(attrs.value);
            if (!go_on)
                return;
        }
        /* An entity reference's children are its declaration's, in the
         * DTD before the root: following them would lead back to the root
         * and around again for ever. The DTD holds no samples either. */
        bool descend = n->children && n->type != XML_ENTITY_REF_NODE && n->type != XML_DTD_NODE;
        n = descend ? n->children : successor(n);
    }
}

/* Whether every error libxml2 gave is on the file's last line of text:
 * the file was cut short (JMeter stopped before it wrote </testResults>),
 * nothing else is wrong with it. */
static bool errors_at_end(const reader *r)
{
    if (r->error_count == 0 || r->df.errors)
        return false;
    for (size_t i = 0; i < r->error_count; i++)
        if (!r->errors[i].warning && r->errors[i].line < r->in.last_text_line)
            return false;
    return true;
}

static void report_parse_errors(reader *r, bool truncated)
{
    if (truncated) {
        const parse_error *e = &r->errors[0];
        diag_file_warning(&r->df, e->line, e->col,
                          "the file ends here, before </testResults>: JMeter was stopped before "
                          "it closed the file; the samples before are kept");
        return;
    }
    for (size_t i = 0; i < r->error_count; i++) {
        const parse_error *e = &r->errors[i];
        if (e->warning)
            diag_file_warning(&r->df, e->line, e->col, "%s", e->message);
        else
            diag_file_error(&r->df, e->line, e->col, "%s", e->message);
    }
}

static void write_meta(reader *r, bool truncated)
{
    if (r->df.errors || r->status)
        return;
    char value[32];
    int status = STATUS_OK;
    if (r->version)
        status = r->sink->meta(r->sink->ctx, "version", r->version);
    if (!status)
        status = r->sink->meta(r->sink->ctx, "timestamps", "epoch-ms");
    if (!status)
        status = r->sink->meta(r->sink->ctx, "concurrency",
                               r->has_na ? "na" : r->has_ng ? "ng" : "none");
    if (!status && r->runs.appended) {
        snprintf(value, sizeof value, "%ld", r->runs.appended);
        status = r->sink->meta(r->sink->ctx, "appended_runs", value);
    }
    if (!status && truncated)
        status = r->sink->meta(r->sink->ctx, "truncated", "no </testResults>");
    if (status)
        r->status = STATUS_FAILURE;
}

static bool sniff(const char *path, const char *head, size_t len)
{
    (void)path;
    size_t i = 0;
    if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    /* White space, the XML declaration and comments may come first. */
    for (;;) {
        while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
            i++;
        if (i + 5 <= len && memcmp(head + i, "<?xml", 5) == 0) {
            const char *end = memchr(head + i, '>', len - i);
            if (!end)
                return false;
            i = (size_t)(end - head) + 1;
        } else if (i + 4 <= len && memcmp(head + i, "<!--", 4) == 0) {
            size_t j = i + 4;
            while (j + 3 <= len && memcmp(head + j, "-->", 3) != 0)
                j++;
            if (j + 3 > len)
                return false;
            i = j + 3;
        } else {
            break;
        }
    }
    static const char root[] = "<testResults";
    size_t n = sizeof root - 1;
    if (i + 9 <= len && memcmp(head + i, "<!DOCTYPE", 9) == 0) {
        /* JMeter writes none; the reader refuses it, saying so. */
        for (size_t j = i; j + n < len; j++)
            if (memcmp(head + j, root, n) == 0)
                return true;
        return false;
    }
    return i + n < len && memcmp(head + i, root, n) == 0 &&
           (head[i + n] == ' ' || head[i + n] == '>' || head[i + n] == '\t' ||
            head[i + n] == '\r' || head[i + n] == '\n');
}

static void reader_clear(reader *r)
{
    if (r->xml)
        xmlFreeTextReader(r->xml);
    if (r->doc)
        xmlFreeDoc(r->doc);
    if (r->in.gz)
        gzclose(r->in.gz);
    free(r->in.history);
    for (size_t i = 0; i < r->error_count; i++)
        free(r->errors[i].message);
    free(r->errors);
    free(r->label);
    free(r->message);
    free(r->version);
}

static int read_file(const char *path, const load_options *opts, const load_sink *sink,
                     char sha256_hex[65], long long *size, diag_list *diags)
{
    (void)size;
    sha256_hex[0] = '\0'; /* the caller hashes the file */
    (void)opts; /* dates are never local: ts is epoch ms */
    reader r = {.sink = sink, .last_sample_line = -1};
    r.df = (diag_file){.list = diags, .path = path};
    r.in.line = r.in.history_line = 1;
    r.in.gz = gzopen(path, "rb");
    if (!r.in.gz) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        return STATUS_BAD_INPUT;
    }
    r.in.history = xmalloc(2 * HISTORY);
    /* No network, no DTD loading, no entity substitution (XML_PARSE_NOENT
     * left out), no DTD default attributes. */
    r.xml = xmlReaderForIO(read_input, close_input, &r.in, path, NULL, XML_PARSE_NONET);
    if (!r.xml) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot start the XML parser");
        reader_clear(&r);
        return STATUS_FAILURE;
    }
    xmlTextReaderSetStructuredErrorHandler(r.xml, on_xml_error, &r);
    int ret;
    int last_type = 0;       /* the node type last passed on, 0 before any */
    bool last_empty = false; /* it was an empty element */
    bool stopped = false;    /* reading stopped on a problem of its own */
    while ((ret = xmlTextReaderRead(r.xml)) == 1) {
        int type = xmlTextReaderNodeType(r.xml);
        if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
            long line, col;
            find_text(&r.in, "<!DOCTYPE", &line, &col);
            diag_file_error(&r.df, line, col,
                            "DOCTYPE declaration: JMeter writes none, and p3 reads no DTD");
            stopped = true;
            break;
        }
        last_type = type;
        last_empty = type == XML_READER_TYPE_ELEMENT && xmlTextReaderIsEmptyElement(r.xml) == 1;
        if (type == XML_READER_TYPE_ELEMENT && !on_reader_element(&r)) {
            stopped = true;
            break;
        }
    }
    if (r.in.failed) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot read: %s", gzerror(r.in.gz, &ret));
        r.status = STATUS_FAILURE;
    }
    bool truncated = false;
    if (ret < 0 && !stopped && r.status == STATUS_OK && errors_at_end(&r)) {
        /* Cut short: take what the parser read beyond what the reader passed on. */
        xmlNodePtr node = last_type ? xmlTextReaderCurrentNode(r.xml) : NULL;
        xmlNodePtr from;
        if (node) {
            from = last_type == XML_READER_TYPE_ELEMENT && !last_empty ? node->children
                                                                       : successor(node);
        } else {
            r.doc = xmlTextReaderCurrentDoc(r.xml); /* ours to free from now on */
            from = r.doc ? r.doc->children : NULL;
        }
        read_rest(&r, from);
        truncated = r.root_seen && r.df.errors == 0;
    }
    if (r.status == STATUS_OK) {
        report_parse_errors(&r, truncated);
        if (!r.root_seen && r.error_count == 0 && r.df.errors == 0)
            diag_file_error(&r.df, 1, 1, "no <testResults> element: not JMeter results");
    }
    write_meta(&r, truncated);
    int status = r.status;
    diag_file_finish(&r.df);
    if (status == STATUS_OK && r.df.errors)
        status = STATUS_BAD_INPUT;
    reader_clear(&r);
    return status;
}

const load_format jtl_xml_format = {"jmeter-xml", sniff, read_file};
