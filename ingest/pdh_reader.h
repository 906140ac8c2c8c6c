/* PDH-CSV: the counter logs of Windows perfmon ("save as CSV", relog -f csv,
 * typeperf) and of VMware esxtop batch mode (esxtop -b). Line 1 holds
 * "(PDH-CSV 4.0) (<time zone>)(<bias>)" and one counter path per column;
 * every later line is a sample: its local time, then a value per counter.
 * The reader streams a file into a counter_sink in memory that grows with
 * the number of columns, never with the number of rows.
 *
 * How it reads what real files hold:
 *
 * Encoding. A UTF-8 BOM, or a UTF-16LE or UTF-16BE BOM, decides. Else a
 *   header line (the whole of line 1) that is valid UTF-8 without NUL bytes
 *   makes the file UTF-8: counter names are the only text of a PDH-CSV
 *   file, rows hold times and numbers, so line 1 is the evidence. A later
 *   line that is not valid UTF-8 is then an error naming --encoding. Else
 *   the file is in opts->encoding, or, when none is given, guessed to be
 *   Windows-1252 with a warning naming --encoding and `encoding` in run.ini.
 *   Non-UTF-8 files are decoded to UTF-8 before they are split (a CP932
 *   character may end in a 0x5C backslash byte); bytes the encoding does
 *   not allow are errors. Columns in messages count bytes of the line as
 *   decoded to UTF-8 (the file's own bytes for a UTF-8 file, and for the
 *   warning that names a guessed code page).
 *
 * Lines and fields. Lines end with CRLF, LF, or CR alone (a header line
 *   that holds a CR makes CR a line end). Fields are quoted or not (Excel
 *   re-saves drop the quotes), with "" for a quote inside quotes, and are
 *   separated by the character after the first cell: ',' or, as German
 *   Excel writes, ';' (whose values may then use a decimal comma). A field
 *   never spans lines. esxtop sometimes writes an unquoted field glued to
 *   the next quoted one (`   -"\\host\..."`, `    73.1"8.93"`): an unquoted
 *   field that is not blank ends at a quote, which opens the next field.
 *   Lines longer than PDH_READER_MAX_LINE are errors; empty lines and lines
 *   whose fields are all blank are skipped.
 *
 * Columns. A header cell that begins with a backslash must be a counter
 *   path (see pdh_reader_parse_path()); else the column is not a counter.
 *   Such a column's header text, when it has a letter or digit in it, is
 *   file metadata: Data Collector Sets append their description so, and
 *   counter_file_info.description joins these texts with "; ". A column
 *   with an empty header (esxtop's trailing comma) or one without letters
 *   or digits (esxtop's glued `   -`) is nameless. Values in columns that
 *   are not counters are ignored with one warning per column.
 *
 * Kind. counter_file_info.kind is "esxtop" when a counter's object is one
 *   only esxtop writes (Group Cpu, Group Memory, Vcpu, Physical Cpu,
 *   Physical Cpu Load, PCPU Power State, Physical Disk and its Adapter,
 *   Path, SCSI Device, Per-Device-Per-World and Partition views, Network
 *   Port, Interrupt Cookie), else "perfmon". esxtop's header says
 *   "(UTC)(0)", but so may a Windows machine, so the header does not count.
 *
 * Time zone. The bias of the header is minutes to add to local time to get
 *   UTC (Tokyo -540, EDT 240). A header cut short ("(PDH-CSV 4.0) (" or
 *   "(PDH-CSV 4.0) (RTZ 2 (") gives none: local times are then read at
 *   opts->tz_minutes when opts->has_tz, else as UTC, with one warning at
 *   1:1 naming --tz and `tz` in run.ini either way.
 *
 * Dates. Times are "date time" or a time of day alone; the time is
 *   H:MM, H:MM:SS or H:MM:SS.f (1 to 9 digits); the date has three numbers
 *   separated by '/', '-' or '.'. A date whose first number has four digits
 *   is year/month/day. For the others one order holds for the whole file,
 *   decided by the first row that proves one, scanning ahead in a second
 *   pass over the file when the first rows do not:
 *     - a quoted time, or one with a fraction of a second, on '/' dates:
 *       the form perfmon, typeperf, relog and esxtop write, month/day/year
 *       (Excel never quotes a date nor keeps milliseconds);
 *     - '.' between the numbers: day.month.year (German, Russian);
 *     - a first number above 12: day/month/year; a second one: month/day.
 *   When no row proves an order, opts->date_order applies; with
 *   COUNTER_DATE_AUTO the file is refused with an error naming
 *   --date-order. Evidence wins over opts->date_order, so that one run
 *   option can serve files of both orders.
 *
 * Times of day alone (a CSV esxtop subset exported from a Mac) take their
 *   date from opts (has_date, year, month, day; without one the file is
 *   refused with an error naming --date and `date` in run.ini) and move to
 *   the next day whenever a time is earlier than the one before it.
 *
 * Daylight saving. Dated local times that go back by 30 to 60 minutes are
 *   taken as the repeated hour at the end of daylight saving time: a
 *   warning names the line, and from there on 60 minutes are added to the
 *   bias, so UTC keeps increasing. A step forward that is one hour longer
 *   than the step before it (within half a step, or 2 s) is warned about as
 *   the start of daylight saving time, and nothing else changes: a gap in
 *   the samples looks the same. Other backward steps are warned about and
 *   kept as written.
 *
 * Values. A blank field (empty or spaces, perfmon's " ") is a missing
 *   value: no value() call. Anything else must be a decimal number as
 *   decimal_parse() reads it (exactly: 2.4e14 stays an integer; Excel's
 *   2.20E+12 is read as written); negative numbers (esxtop's -1 and -3
 *   sentinels) are kept. The sink gets each row's UTC instant and its local
 *   time text as the file writes it (without quotes).
 *
 * Errors. Every broken line is reported as path:line:col (through a
 *   diag_file: at most 20 shown), the file is read to its end to find them
 *   all, and no sink call follows the first. */
#ifndef P3_PDH_READER_H
#define P3_PDH_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "counter_sink.h"
#include "diag.h"

/* The longest line read (64 MiB, of UTF-8): esxtop headers of 100,000
 * columns and more run to several megabytes. */
#define PDH_READER_MAX_LINE ((size_t)64 << 20)

/* Bytes pdh_reader_parse_path() needs in buf for a path of len bytes. */
#define PDH_READER_PATH_ROOM(len) (2 * (size_t)(len) + 8)

/* Whether the first bytes of a file (up to 64; fewer if the file is
 * shorter) begin a PDH-CSV header: "(PDH-CSV 4.0)" in the first cell,
 * quoted or not, after a UTF-8, UTF-16LE or UTF-16BE BOM or none. */
bool pdh_reader_sniff(const char *head, size_t len);

/* Splits the counter path s[0..len) (UTF-8, quotes removed),
 * `\\MACHINE\Object(parent/instance#index)\Counter`, into *out, whose
 * strings are NUL-terminated copies in buf (PDH_READER_PATH_ROOM(len)
 * bytes, the caller's). Returns false when s is not a counter path.
 *   - The machine is what follows a leading `\\`; a path may begin with a
 *     single `\` and name none (machine NULL).
 *   - The counter is what follows the last backslash, so a counter may hold
 *     parentheses ("Memory Overcommit (1 Minute Avg)"); instances may even
 *     hold backslashes.
 *   - Between the machine and that backslash: the object, then optionally
 *     the instance, from the object's first '(' to a ')' that must end the
 *     part (so "Network Interface(Intel[R] PRO/1000 MT)" and
 *     "PhysicalDisk(0 C:)" keep their instances whole).
 *   - An instance ending in '#' and digits has an index ("svchost#3": 3),
 *     else instance_index is -1.
 *   - Only the objects whose instances perfmon writes as parent/instance
 *     (Thread, Job Object Details) have a parent: the text before the
 *     first '/' ("Thread(vmware-vmx/12)": parent "vmware-vmx", instance
 *     "12"). Elsewhere a '/' belongs to the instance name. */
bool pdh_reader_parse_path(const char *s, size_t len, char *buf, counter_path *out);

/* Reads the PDH-CSV file at path into sink, as a counter_read_fn (see
 * counter_sink.h); opts may be NULL for defaults. Returns STATUS_OK (with
 * warnings perhaps), STATUS_BAD_INPUT when the file has errors, or
 * STATUS_FAILURE when reading it or the sink failed. */
int pdh_reader_read(const char *path, const counter_options *opts, const counter_sink *sink,
                    counter_read_result *result, diag_list *diags);

#endif
