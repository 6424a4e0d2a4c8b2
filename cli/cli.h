#ifndef HVCERT_CLI_H
#define HVCERT_CLI_H
#include <stddef.h>
/* Exit codes shared by every subcommand. */
enum { EXIT_OK = 0, EXIT_NOT_OK = 1, EXIT_ERROR = 2 };

int cmd_probe(int argc, char **argv);
int cmd_capture(int argc, char **argv);
int cmd_hcl(int argc, char **argv);
int cmd_certify(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_fleet(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_report(int argc, char **argv);

struct hcl_db;
/* Loads DIRs of *.hcl or single files; none: <data>/hcl. 0 or -1 + err. */
int cli_load_hcl(struct hcl_db *db, int n, char **paths, char *err, size_t errlen);
/* Directory holding cpu-uarch.tsv and hcl/: $HVCERT_DATA, else ../data
 * next to the executable, else ./data. */
const char *cli_data_dir(void);
/* "hvcert CMD: MSG" on stderr, MSG escaped for the terminal (it often
 * quotes input: a file's line, a name from a dump or a results file). */
void cli_fail(const char *cmd, const char *msg);
/* arg as a number in [lo, hi]; -1 (after saying so on stderr) otherwise. */
int cli_number(const char *opt, const char *arg, double lo, double hi, double *out);
#endif
