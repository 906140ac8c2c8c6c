/* p3 installed like a Unix tool: `make install` into a scratch DESTDIR puts
 * the binary, the manual page and the bash completion there; the installed
 * p3 runs the main job from another folder; the manual renders without a
 * warning and names every command and option `p3 help` shows; the
 * completion offers the commands, each command's options and fixed values;
 * `make uninstall` leaves no file behind; `p3 --version` names the
 * libraries. The binary installed is the one under test ($P3_BIN), so
 * nothing is built into the source tree while the suites run. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <cairo.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <libxml/parser.h> /* xmlParserVersion */
#include <nettle/version.h>
#include <pango/pango.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zlib.h>

#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

/* Where `make install PREFIX=/usr` puts each file, under DESTDIR. */
#define BIN_PATH "/usr/bin/p3"
#define MAN_PATH "/usr/share/man/man1/p3.1"
#define COMPLETION_PATH "/usr/share/bash-completion/completions/p3"

/* Reads a whole descriptor from its start; caller frees. */
/* Runs argv (argv[0] looked up on PATH) in folder cwd, capturing stdout
 * and stderr, with none of the outer make's settings (MAKEFLAGS would pass
 * the test run's own variables and jobserver on to a make started here),
 * without P3_SOURCE_DIR (an installed p3 has no source tree) and in a UTF-8
 * locale with man's pager off. */
static test_run run(const char *cwd, const char *const *argv)
{
    static const char *const env[] = {"MAKEFLAGS",     "MFLAGS",       "MAKELEVEL",
                                      "MAKEOVERRIDES", "P3_SOURCE_DIR", "LC_ALL=C.UTF-8",
                                      "MANPAGER=cat",  "MANWIDTH=80",   NULL};
    return test_command(cwd, argv, env);
}

/* Runs `make install` or `make uninstall` of the binary under test into
 * destdir with PREFIX=/usr. BUILD names the binary's own build folder, whose
 * settings (config.mk) are already made, so make writes nothing. */
static test_run make_target(const char *target, const char *destdir)
{
    const char *bin = getenv("P3_BIN");
    ck_assert_msg(bin && *bin == '/', "P3_BIN is not an absolute path: run 'make check'");
    char *bin_copy = xstrdup(bin);
    char *build = xasprintf("BUILD=%s", dirname(bin_copy));
    char *p3 = xasprintf("P3=%s", bin);
    char *dest = xasprintf("DESTDIR=%s", destdir);
    const char *argv[] = {"make", "-s", "--no-print-directory", "-C", test_source_dir(), target,
                          dest, "PREFIX=/usr", p3, build, NULL};
    test_run r = run(NULL, argv);
    free(bin_copy);
    free(build);
    free(p3);
    free(dest);
    return r;
}

/* A scratch DESTDIR with p3 installed in it; fails the test unless make
 * install succeeds. Caller frees. */
static char *install_into(const char *tag)
{
    char *tmp = test_tmpdir(tag);
    char *destdir = xasprintf("%s/dest", tmp);
    test_run r = make_target("install", destdir);
    ck_assert_msg(r.status == 0, "make install exited %d:\n%s%s", r.status, r.out, r.err);
    test_run_free(&r);
    free(tmp);
    return destdir;
}

/* Files (anything but folders) under the tree nftw is walking, and their
 * names, for count_files(). */
static int file_count;
static char file_names[4096];

static int count_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type != FTW_D && type != FTW_DP) {
        file_count++;
        size_t used = strlen(file_names);
        snprintf(file_names + used, sizeof file_names - used, " %s", path);
    }
    return 0;
}

/* How many files the tree under root holds (0 when it does not exist). */
static int count_files(const char *root)
{
    file_count = 0;
    file_names[0] = '\0';
    nftw(root, count_one, 16, FTW_PHYS);
    return file_count;
}

static mode_t mode_of(const char *destdir, const char *path)
{
    char *full = xasprintf("%s%s", destdir, path);
    struct stat st;
    mode_t mode = stat(full, &st) == 0 && S_ISREG(st.st_mode) ? st.st_mode & 07777 : 0;
    free(full);
    return mode;
}

START_TEST(test_install_then_uninstall_leaves_nothing)
{
    char *destdir = install_into("install-uninstall");
    int installed = count_files(destdir);
    mode_t bin = mode_of(destdir, BIN_PATH), man = mode_of(destdir, MAN_PATH),
           completion = mode_of(destdir, COMPLETION_PATH);
    char *installed_names = xstrdup(file_names);
    test_run r = make_target("uninstall", destdir);
    int left = count_files(destdir);
    ck_assert_msg(installed == 3 && bin == 0755 && man == 0644 && completion == 0644 &&
                      r.status == 0 && left == 0,
                  "install put %d files (want 3:%s; modes bin %o, man %o, completion %o), "
                  "uninstall exited %d and left %d:%s\n%s",
                  installed, installed_names, (unsigned)bin, (unsigned)man,
                  (unsigned)completion, r.status, left, file_names, r.err);
    test_run_free(&r);
    free(installed_names);
    free(destdir);
}
END_TEST

START_TEST(test_installed_p3_reports_from_another_folder)
{
    char *destdir = install_into("install-report");
    char *work = test_tmpdir("install-report-work");
    char *lab_src = test_source_path("samples/lab");
    char *lab = xasprintf("%s/lab", work);
    const char *copy[] = {"cp", "-R", lab_src, lab, NULL};
    test_run c = run(NULL, copy);
    ck_assert_msg(c.status == 0, "cp exited %d: %s", c.status, c.err);
    test_run_free(&c);

    /* From the scratch folder, with the installed binary and no source
     * tree in sight: the main job of the README. */
    char *bin = xasprintf("%s%s", destdir, BIN_PATH);
    const char *argv[] = {bin, "report", "-o", "out", "lab", NULL};
    test_run r = run(work, argv);
    const char *outputs[] = {"out/p3.db", "out/report.pdf", "out/p3.xlsx",
                             "out/native-server/p3.png", "out/guest-msvs/p3.png"};
    char missing[1024] = "";
    for (size_t i = 0; i < sizeof outputs / sizeof *outputs; i++) {
        char *path = xasprintf("%s/%s", work, outputs[i]);
        struct stat st;
        if (stat(path, &st) != 0 || st.st_size == 0)
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s",
                     outputs[i]);
        free(path);
    }
    ck_assert_msg(r.status == 0 && !missing[0] && strstr(r.out, "native-server: "),
                  "installed p3 report exited %d, missing:%s\nstdout:\n%s\nstderr:\n%s",
                  r.status, missing, r.out, r.err);
    test_run_free(&r);
    free(bin);
    free(lab);
    free(lab_src);
    free(work);
    free(destdir);
}
END_TEST

START_TEST(test_installed_manual_renders_without_warnings)
{
    char *destdir = install_into("install-man");
    char *page = xasprintf("%s%s", destdir, MAN_PATH);
    const char *groff[] = {"groff", "-man", "-Tutf8", "-ww", "-z", page, NULL};
    test_run g = run(NULL, groff);
    ck_assert_msg(g.status == 0 && !g.err[0], "groff exited %d, warnings:\n%s", g.status, g.err);
    test_run_free(&g);
    if (test_have_program("man")) {
        const char *man[] = {"man", "--warnings", "-l", page, NULL};
        test_run m = run(NULL, man);
        ck_assert_msg(m.status == 0 && !m.err[0] && strstr(m.out, "EXIT STATUS"),
                      "man -l exited %d, stderr:\n%s", m.status, m.err);
        test_run_free(&m);
    } else {
        fprintf(stderr, "install: man is not installed; rendered with groff only\n");
    }
    free(page);
    free(destdir);
}
END_TEST

/* The strings of a list, for sets of commands, options and words. */
typedef struct names {
    char **items;
    size_t count;
} names;

static bool names_has(const names *n, const char *s)
{
    for (size_t i = 0; i < n->count; i++)
        if (strcmp(n->items[i], s) == 0)
            return true;
    return false;
}

static void names_add(names *n, const char *s, size_t len)
{
    char *copy = xstrndup(s, len);
    if (names_has(n, copy)) {
        free(copy);
        return;
    }
    n->items = xrealloc(n->items, (n->count + 1) * sizeof *n->items);
    n->items[n->count++] = copy;
}

static void names_free(names *n)
{
    for (size_t i = 0; i < n->count; i++)
        free(n->items[i]);
    free(n->items);
    *n = (names){0};
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The list sorted and joined by spaces, each item followed by one (as the
 * completion test prints them). Caller frees. */
static char *names_joined(names *n)
{
    qsort(n->items, n->count, sizeof *n->items, by_string);
    char *s = xstrdup("");
    for (size_t i = 0; i < n->count; i++) {
        char *t = xasprintf("%s%s ", s, n->items[i]);
        free(s);
        s = t;
    }
    return s;
}

static bool option_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-';
}

/* Adds the options in text[0, len): "--name" or "-x" where a word starts
 * (at the start, after a space, '[', '(' or '|'), so that YYYY-MM-DD is
 * none. */
static void scan_options(names *n, const char *text, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (text[i] != '-' || (i > 0 && !strchr(" [(|", text[i - 1])))
            continue;
        size_t end = i + 1;
        if (text[end] == '-')
            end++;
        size_t start_name = end;
        while (end < len && option_char(text[end]))
            end++;
        bool is_long = start_name == i + 2;
        if ((is_long && end - start_name >= 2) || (!is_long && end - start_name == 1))
            names_add(n, text + i, end - i);
        i = end;
    }
}

/* The options `p3 help COMMAND` shows: those of its usage (the lines up to
 * the first empty one) and of its options list (lines "  -o, --output DIR",
 * up to the description after two spaces). */
static void help_options(const char *help, names *n)
{
    const char *usage_end = strstr(help, "\n\n");
    ck_assert(usage_end != NULL);
    scan_options(n, help, (size_t)(usage_end - help));
    const char *list = strstr(help, "\noptions:\n");
    if (!list)
        return;
    for (const char *line = list + 10; *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len > 3 && line[0] == ' ' && line[1] == ' ' && line[2] == '-') {
            const char *head_end = strstr(line + 2, "  ");
            size_t head = head_end && head_end < line + len ? (size_t)(head_end - line) : len;
            scan_options(n, line + 2, head - 2);
        }
        line += len + (eol ? 1 : 0);
    }
}

/* The commands `p3 help` lists: "  NAME  summary" lines under "commands:". */
static void help_commands(names *n)
{
    const char *args[] = {"help", NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 0);
    const char *list = strstr(r.out, "\ncommands:\n");
    ck_assert(list != NULL);
    for (const char *line = list + 11; strncmp(line, "  ", 2) == 0;) {
        const char *name = line + 2;
        size_t len = strcspn(name, " \n");
        names_add(n, name, len);
        const char *eol = strchr(line, '\n');
        if (!eol)
            break;
        line = eol + 1;
    }
    test_run_free(&r);
}

/* The options of one command's help. */
static void command_options(const char *command, names *n)
{
    const char *args[] = {"help", command, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 0);
    help_options(r.out, n);
    test_run_free(&r);
}

/* Whether word occurs in text[0, len) with no option character either side
 * ("--run" is not in "--run-name"). */
static bool has_word(const char *text, size_t len, const char *word)
{
    char *part = xstrndup(text, len);
    size_t w = strlen(word);
    bool found = false;
    for (const char *p = part; !found && (p = strstr(p, word)); p++)
        found = (p == part || !option_char(p[-1])) && !option_char(p[w]);
    free(part);
    return found;
}

/* The part of the rendered page under the subsection heading "p3 NAME": up
 * to the next heading. Sets *len; NULL when there is no such heading. */
static const char *man_section(const char *page, const char *command, size_t *len)
{
    char *heading = xasprintf("\n   p3 %s\n", command);
    const char *start = strstr(page, heading);
    free(heading);
    if (!start)
        return NULL;
    start++;
    const char *end = start;
    while ((end = strchr(end + 1, '\n')) && end[1] && (end[1] == '\n' || end[1] == ' ') &&
           !(strncmp(end + 1, "   ", 3) == 0 && end[4] != ' '))
        ;
    *len = end ? (size_t)(end - start) : strlen(start);
    return start;
}

START_TEST(test_manual_names_every_command_and_option)
{
    char *destdir = install_into("install-man-cover");
    char *page_path = xasprintf("%s%s", destdir, MAN_PATH);
    /* Plain text: ASCII, no overstriking, no hyphenation (the page says
     * .nh), so options are whole words. */
    const char *groff[] = {"groff", "-man", "-Tascii", "-P-cbou", page_path, NULL};
    test_run g = run(NULL, groff);
    ck_assert_msg(g.status == 0, "groff exited %d: %s", g.status, g.err);

    names commands = {0};
    help_commands(&commands);
    char missing[4096] = "";
    for (size_t i = 0; i < commands.count; i++) {
        const char *cmd = commands.items[i];
        size_t len;
        const char *section = man_section(g.out, cmd, &len);
        if (!section) {
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing),
                     " [no section 'p3 %s']", cmd);
            continue;
        }
        names options = {0};
        command_options(cmd, &options);
        for (size_t j = 0; j < options.count; j++)
            if (!has_word(section, len, options.items[j]))
                snprintf(missing + strlen(missing), sizeof missing - strlen(missing),
                         " p3 %s %s", cmd, options.items[j]);
        names_free(&options);
    }
    /* The options of p3 itself, from its usage line. */
    const char *args[] = {"--help", NULL};
    test_run h = test_p3(NULL, args);
    names global = {0};
    help_options(h.out, &global);
    for (size_t j = 0; j < global.count; j++)
        if (!has_word(g.out, strlen(g.out), global.items[j]))
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " p3 %s",
                     global.items[j]);
    /* The footer names the version p3 says it is. */
    const char *args_v[] = {"--version", NULL};
    test_run v = test_p3(NULL, args_v);
    const char *space = strchr(v.out + strlen("p3 "), ' ');
    char *version = xstrndup(v.out, space ? (size_t)(space - v.out) : 0);
    ck_assert_msg(commands.count >= 10 && global.count >= 2 && !missing[0] &&
                      strstr(g.out, version),
                  "the manual page lacks what p3 help shows:%s\n(or its footer is not '%s')",
                  missing, version);
    free(version);
    test_run_free(&v);
    names_free(&global);
    test_run_free(&h);
    names_free(&commands);
    test_run_free(&g);
    free(page_path);
    free(destdir);
}
END_TEST

/* The words the completion offers for each line of cases, one line each
 * ("COMP_WORDS after p3, space-separated; an empty last word is ''"). */
static char *complete(const char *destdir, const char *cases)
{
    char *completion = xasprintf("%s%s", destdir, COMPLETION_PATH);
    char *bin = xasprintf("%s%s", destdir, BIN_PATH);
    char *script = xasprintf(
        "source \"$1\" || exit 3\n"
        "c() {\n"
        "  COMP_WORDS=(\"$P3\" \"$@\"); COMP_CWORD=$#; COMPREPLY=()\n"
        "  _p3 \"$P3\" \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
        "  for w in \"${COMPREPLY[@]}\"; do printf '%%s\\n' \"$w\"; done | LC_ALL=C sort |"
        " tr '\\n' ' '; echo\n"
        "}\n"
        "P3=$2\n"
        "%s",
        cases);
    const char *argv[] = {"bash", "--norc", "--noprofile", "-c", script, "bash", completion, bin,
                          NULL};
    test_run r = run(NULL, argv);
    ck_assert_msg(r.status == 0, "bash exited %d: %s", r.status, r.err);
    char *out = r.out;
    r.out = NULL;
    test_run_free(&r);
    free(script);
    free(bin);
    free(completion);
    return out;
}

START_TEST(test_completion_offers_commands_options_and_values)
{
    char *destdir = install_into("install-completion");
    names commands = {0};
    help_commands(&commands);

    /* What should come out, line by line, beside the cases that ask. */
    char *cases = xstrdup("c ''\n");
    char *want = names_joined(&commands);
    char *with_nl = xasprintf("%s\n", want);
    free(want);
    want = with_nl;
    for (size_t i = 0; i < commands.count; i++) {
        const char *cmd = commands.items[i];
        if (strcmp(cmd, "help") == 0)
            continue;
        names options = {0};
        command_options(cmd, &options);
        names_add(&options, "--help", 6);
        char *joined = names_joined(&options);
        char *c = xasprintf("%sc %s -\n", cases, cmd), *w = xasprintf("%s%s\n", want, joined);
        free(cases);
        free(want);
        cases = c;
        want = w;
        free(joined);
        names_free(&options);
    }
    /* Fixed values: given in the command's own help, in another command's
     * ("as for p3 ingest"), a comma list, and the COMMAND of help. */
    char *c = xasprintf("%sc ingest --changed ''\n"
                        "c report --run-name ''\n"
                        "c stats --format ''\n"
                        "c render --format png,s\n"
                        "c report --date-order = d\n"
                        "c help re\n",
                        cases);
    char *w = xasprintf("%srefuse replace \n"
                        "folder lab \n"
                        "csv json table \n"
                        "png,svg \n"
                        "dmy \n"
                        "render report \n",
                        want);
    free(cases);
    free(want);
    char *got = complete(destdir, c);
    ck_assert_msg(commands.count >= 10 && strcmp(got, w) == 0,
                  "completion offers\n%s\nwhere p3 help says\n%s", got, w);
    free(got);
    free(c);
    free(w);
    names_free(&commands);
    free(destdir);
}
END_TEST

START_TEST(test_version_names_every_library)
{
    const char *args[] = {"--version", NULL};
    test_run r = test_p3(NULL, args);
    char *want = xasprintf("p3 %s (store schema ", P3_VERSION);
    /* The test links the same shared libraries p3 runs with. libxml2 says
     * "20914" for 2.9.14. */
    long xml = strtol(xmlParserVersion, NULL, 10);
    char *libs[] = {
        xasprintf("\nSQLite %s\n", sqlite3_libversion()),
        xasprintf("\ncairo %s\n", cairo_version_string()),
        xasprintf("\nPango %s\n", pango_version_string()),
        xasprintf("\nlibxlsxwriter %s\n", lxw_version()),
        xasprintf("\nzlib %s\n", zlibVersion()),
        xasprintf("\nlibxml2 %ld.%ld.%ld\n", xml / 10000, xml / 100 % 100, xml % 100),
        xasprintf("\nnettle %d.%d\n", nettle_version_major(), nettle_version_minor()),
    };
    char missing[512] = "";
    for (size_t i = 0; i < sizeof libs / sizeof *libs; i++) {
        if (!strstr(r.out, libs[i]))
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s",
                     libs[i] + 1);
        free(libs[i]);
    }
    ck_assert_msg(r.status == 0 && strncmp(r.out, want, strlen(want)) == 0 && !missing[0],
                  "p3 --version exited %d and says\n%s\nmissing:\n%s", r.status, r.out, missing);
    free(want);
    test_run_free(&r);
}
END_TEST

Suite *install_suite(void)
{
    Suite *s = suite_create("install");
    TCase *tc = tcase_create("install");
    /* Each test runs make; one runs the main job, slower under the sanitizers. */
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_install_then_uninstall_leaves_nothing);
    tcase_add_test(tc, test_installed_p3_reports_from_another_folder);
    tcase_add_test(tc, test_installed_manual_renders_without_warnings);
    tcase_add_test(tc, test_manual_names_every_command_and_option);
    tcase_add_test(tc, test_completion_offers_commands_options_and_values);
    tcase_add_test(tc, test_version_names_every_library);
    suite_add_tcase(s, tc);
    return s;
}
