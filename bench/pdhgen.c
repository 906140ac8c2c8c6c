/* pdhgen: writes a synthetic perfmon CSV (PDH-CSV 4.0, as relog writes it:
 * every field quoted, CRLF, MM/DD/YYYY times, six decimals, an occasional
 * " " blank) to stdout, the same bytes for the same arguments. For the
 * benchmark of counter ingest.
 *
 * usage: pdhgen ROWS COUNTERS */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* splitmix64: the same numbers on every machine. */
static uint64_t state = 2005;

static uint64_t next(void)
{
    uint64_t z = (state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: pdhgen ROWS COUNTERS\n");
        return 2;
    }
    long rows = atol(argv[1]), counters = atol(argv[2]);
    static char buf[1 << 20];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    printf("\"(PDH-CSV 4.0) (Pacific Standard Time)(480)\"");
    for (long c = 0; c < counters; c++) {
        /* A mix of the objects a host log holds. */
        switch (c % 4) {
        case 0:
            printf(",\"\\\\VSHOST01\\Process(vmware-vmx#%ld)\\%% Processor Time\"", c / 4);
            break;
        case 1:
            printf(",\"\\\\VSHOST01\\Processor(%ld)\\%% Processor Time\"", c / 4);
            break;
        case 2:
            printf(",\"\\\\VSHOST01\\LogicalDisk(C:)\\Avg. Disk sec/Read %ld\"", c / 4);
            break;
        default:
            printf(",\"\\\\VSHOST01\\Memory\\Available Bytes %ld\"", c / 4);
            break;
        }
    }
    printf("\r\n");
    /* One row a second from 2005-03-01 10:00:00 local time. */
    for (long r = 0; r < rows; r++) {
        long s = 36000 + r;
        long day = 1 + s / 86400;
        s %= 86400;
        printf("\"03/%02ld/2005 %02ld:%02ld:%02ld.%03ld\"", day, s / 3600, s / 60 % 60, s % 60,
               (long)(next() % 1000));
        for (long c = 0; c < counters; c++) {
            uint64_t x = next();
            if (x % 50 == 0)
                printf(",\" \"");
            else
                printf(",\"%.6f\"", (double)(x >> 11) / 9007199254740992.0 * 100.0);
        }
        printf("\r\n");
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
