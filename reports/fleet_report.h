/* Renderers of a fleet (hcl/fleet.h): a text matrix, JSON (hvcert-fleet/1,
 * docs/fleet-json.md), JUnit XML (a suite per release, a case per host) and
 * an HTML page that reads summary first. */
#ifndef HVCERT_FLEET_REPORT_H
#define HVCERT_FLEET_REPORT_H
#include <stdio.h>

#include "hcl/fleet.h"

void fleet_text(FILE *out, const struct fleet *f);
void fleet_json(FILE *out, const struct fleet *f);
void fleet_junit(FILE *out, const struct fleet *f);
void fleet_html(FILE *out, const struct fleet *f);
#endif
