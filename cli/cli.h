#ifndef HVCERT_CLI_H
#define HVCERT_CLI_H
/* Exit codes shared by every subcommand. */
enum { EXIT_OK = 0, EXIT_NOT_OK = 1, EXIT_ERROR = 2 };

int cmd_probe(int argc, char **argv);
int cmd_capture(int argc, char **argv);
/* Directory holding cpu-uarch.tsv and hcl/: $HVCERT_DATA, else ../data
 * next to the executable, else ./data. */
const char *cli_data_dir(void);
#endif
