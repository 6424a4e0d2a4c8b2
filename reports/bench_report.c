#include "reports/bench_report.h"
#include "common/escape.h"
#include "reports/bench_summary.h"

#include "bench/harness.h"
#include "bench/overhead.h"
#include "bench/results.h"

#include "common/safefile.h"
#include "common/spawn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Columns follow bench_modes (bench/modes.c), the order bench runs them. */
#define NMODES 16

/* Modes that have at least one result for guest. */
static int modes_with(const struct bench_results *doc, const char *guest, const char **out)
{
	int n = 0;
	for (size_t m = 0; m < bench_nmodes && n < NMODES; m++)
		if (bench_has_mode(doc, guest, bench_modes[m].name))
			out[n++] = bench_modes[m].name;
	return n;
}

/* Workloads of a guest, in result order. */
static int workloads(const struct bench_results *doc, const char *guest, const char **out, int max)
{
	int n = 0;
	for (size_t i = 0; i < doc->n; i++) {
		const char *w = doc->rows[i].workload;
		int seen = 0;
		if (strcmp(doc->rows[i].guest, guest))
			continue;
		for (int k = 0; k < n; k++)
			seen |= !strcmp(out[k], w);
		if (!seen && n < max)
			out[n++] = w;
	}
	return n;
}

/* A chart's data file DIR/NAME.dat (its path in dat), written beside and
 * renamed over it by sf_commit. */
static FILE *open_dat(struct sf_out *o, char *dat, size_t n, const char *dir, const char *name)
{
	char e[512];
	snprintf(dat, n, "%s/%s.dat", dir, name);
	return sf_create(o, dat, e, sizeof(e));
}

static int close_dat(struct sf_out *o)
{
	char e[512];
	return sf_commit(o, e, sizeof(e));
}

/* A figure, or gnuplot's missing value when there is none. */
static void put_num(FILE *f, double v)
{
	fprintf(f, v > 0 ? " %g" : " NaN", v);
}

/* A table: one row per workload, one column per mode, of the overhead or
 * the median. */
static int write_table(char *dat, size_t n, const char *dir, const char *name, const struct bench_results *doc,
		       const char *guest, int overhead, const char **modes, int nm)
{
	const char *w[64];
	int nw = workloads(doc, guest, w, 64);
	struct sf_out o;
	FILE *f = open_dat(&o, dat, n, dir, name);
	if (!f)
		return -1;
	fprintf(f, "workload");
	for (int m = 0; m < nm; m++)
		fprintf(f, " %s", modes[m]);
	fputc('\n', f);
	for (int i = 0; i < nw; i++) {
		esc_gnuplot(f, w[i]);
		for (int m = 0; m < nm; m++) {
			const struct bench_row *r = bench_results_find(doc, guest, w[i], modes[m]);
			/* A suspect figure is not the cost of its technique: never charted. */
			double v = !r || r->suspect ? -1 : overhead ? r->overhead : r->median;
			put_num(f, v);
		}
		fputc('\n', f);
	}
	return close_dat(&o) ? -1 : nw;
}

/* gnuplot runs in DIR on names we chose, so no path or label reaches its
 * command language; outputs already there are removed, not written through. */
static int gnuplot(const char *dir, const char *name, const char *body)
{
	char path[4096], out[4096], log[4096], e[512];
	static const struct {
		const char *ext, *term;
	} terms[] = {{"png", "pngcairo size 900,480 font 'sans,10'"}, {"svg", "svg size 900,480 font 'sans,10'"}};
	for (size_t t = 0; t < 2; t++) {
		struct sf_out o;
		snprintf(path, sizeof(path), "%s/%s.gp", dir, name);
		snprintf(out, sizeof(out), "%s/%s.%s", dir, name, terms[t].ext);
		snprintf(log, sizeof(log), "%s/%s.gnuplot.log", dir, name);
		FILE *f = sf_create(&o, path, e, sizeof(e));
		if (!f)
			return -1;
		fprintf(f, "set terminal %s noenhanced\nset output '%s.%s'\nset datafile missing 'NaN'\n%s\n",
			terms[t].term, name, terms[t].ext, body);
		if (sf_commit(&o, e, sizeof(e)) || (unlink(out) && errno != ENOENT) || (unlink(log) && errno != ENOENT))
			return -1;
		char script[256];
		snprintf(script, sizeof(script), "%s.gp", name);
		char *const argv[] = {"gnuplot", script, NULL};
		if (spawn_run(argv, dir, log, e, sizeof(e)) != 0)
			return -1;
	}
	return 0;
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void bars(char *body, size_t n, const char *dat, int nm, const char *ylabel, const char *title, int logy)
{
	int l = snprintf(body, n,
			 "set title '%s'\nset ylabel '%s'\nset style data histograms\nset style histogram "
			 "clustered gap 1\nset style fill solid 0.8 border -1\nset key top left\nset grid ytics\n"
			 "set xtics rotate by -30\n%s\nplot for [c=2:%d] '%s' using c:xtic(1) title columnheader(c)\n",
			 title, ylabel, logy ? "set logscale y" : "set yrange [0:*]", nm + 1, base(dat));
	(void)l;
}

static int chart(const char *dir, const struct bench_results *doc, const char *guest, int overhead, const char *name,
		 const char *ylabel, const char *title, int logy)
{
	const char *modes[NMODES];
	char dat[4096], body[4096];
	int nm = modes_with(doc, guest, modes);
	if (overhead && nm && !strcmp(modes[0], "native")) {
		memmove(modes, modes + 1, (size_t)--nm * sizeof(*modes)); /* native is the 1x line */
		if (!nm)
			return 0;
	}
	if (!nm || write_table(dat, sizeof(dat), dir, name, doc, guest, overhead, modes, nm) <= 0)
		return 0;
	bars(body, sizeof(body), dat, nm, ylabel, title, logy);
	return gnuplot(dir, name, body) ? -1 : 1;
}

/* Emulated against paravirtual I/O per technique: cycles per byte. */
/* The median of (guest, workload, mode), -1 when the run lacks it. */
static double median_of(const struct bench_results *doc, const char *guest, const char *workload, const char *mode)
{
	const struct bench_row *r = bench_results_find(doc, guest, workload, mode);
	return r ? r->median : -1;
}

static int io_chart(const char *dir, const struct bench_results *doc)
{
	static const char *fam[] = {"qemu-tcg", "kvm", "bt"};
	char dat[4096], body[4096], pv[32];
	int rows = 0;
	struct sf_out o;
	FILE *f = open_dat(&o, dat, sizeof(dat), dir, "io");
	if (!f)
		return -1;
	fprintf(f, "technique \"UART (one exit per byte)\" \"virtio-console (batches of 256)\"\n");
	for (size_t i = 0; i < 3; i++) {
		snprintf(pv, sizeof(pv), "%s+pv", fam[i]);
		double e = median_of(doc, "iostream", "uart_stream", fam[i]);
		double p = median_of(doc, "pvstream", "virtio_stream", pv);
		if (e < 0 && p < 0)
			continue;
		fprintf(f, "%s", fam[i]);
		put_num(f, e), put_num(f, p), fputc('\n', f);
		rows++;
	}
	if (close_dat(&o))
		return -1;
	if (!rows)
		return 0;
	snprintf(body, sizeof(body),
		 "set title 'Emulated versus paravirtual output'\nset ylabel 'cycles per byte (log)'\nset logscale y\n"
		 "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.8 border -1\n"
		 "set key top right\nset grid ytics\nplot for [c=2:3] '%s' using c:xtic(1) title columnheader(c)\n",
		 base(dat));
	return gnuplot(dir, "io", body) ? -1 : 1;
}

/* virtio-blk: cycles per sector against request size, read and write. */
static int blk_chart(const char *dir, const struct bench_results *doc)
{
	static const char *guests[] = {"pvblk-b1", "pvblk-b8", "pvblk-b64", "pvblk-b256"};
	static const int batch[] = {1, 8, 64, 256};
	static const char *pvm[] = {"qemu-tcg+pv", "kvm+pv", "bt+pv"};
	char dat[4096], body[4096], plot[2048] = "";
	int cols = 0;
	struct sf_out o;
	FILE *f = open_dat(&o, dat, sizeof(dat), dir, "blk");
	if (!f)
		return -1;
	fprintf(f, "batch");
	int use[3] = {0};
	for (int m = 0; m < 3; m++) {
		use[m] = bench_results_find(doc, "pvblk-b8", "blk_read", pvm[m]) != NULL;
		if (use[m])
			fprintf(f, " %s-read %s-write", pvm[m], pvm[m]), cols += 2;
	}
	fputc('\n', f);
	for (int b = 0; b < 4; b++) {
		fprintf(f, "%d", batch[b]);
		for (int m = 0; m < 3; m++)
			if (use[m]) {
				double r = median_of(doc, guests[b], "blk_read", pvm[m]);
				double w = median_of(doc, guests[b], "blk_write", pvm[m]);
				put_num(f, r), put_num(f, w);
			}
		fputc('\n', f);
	}
	if (close_dat(&o))
		return -1;
	if (!cols)
		return 0;
	snprintf(plot, sizeof(plot), "plot for [c=2:%d] '%s' using 1:c with linespoints lw 2 title columnheader(c)",
		 cols + 1, base(dat));
	snprintf(body, sizeof(body),
		 "set title 'virtio-blk: cost per sector by request size'\nset xlabel 'sectors per request'\n"
		 "set ylabel 'cycles per sector (log)'\nset logscale xy\nset xtics (1, 8, 64, 256)\nset key top right\n"
		 "set grid\n%s\n",
		 plot);
	return gnuplot(dir, "blk", body) ? -1 : 1;
}

/* Trend across runs: geometric mean of the compute overheads per mode. */
static int trend(const char *dir, const struct bench_results *runs, size_t n)
{
	char dat[4096], body[4096];
	if (n < 2)
		return 0;
	struct sf_out o;
	FILE *f = open_dat(&o, dat, sizeof(dat), dir, "trend");
	if (!f)
		return -1;
	fprintf(f, "run");
	/* Every mode but native (the 1x line), whether a run has it or not. */
	for (size_t m = 1; m < bench_nmodes; m++)
		fprintf(f, " %s", bench_modes[m].name);
	fputc('\n', f);
	for (size_t d = 0; d < n; d++) {
		esc_gnuplot(f, bench_results_label(&runs[d]));
		for (size_t m = 1; m < bench_nmodes; m++)
			put_num(f, bench_recorded_overhead(&runs[d], "compute", bench_modes[m].name));
		fputc('\n', f);
	}
	if (close_dat(&o))
		return -1;
	snprintf(body, sizeof(body),
		 "set title 'Compute overhead across runs (geometric mean vs native)'\nset ylabel 'x native'\n"
		 "set key top right\nset grid ytics\nset yrange [0:*]\nset offsets 0.3, 0.3, 0, 0\n"
		 "set xtics rotate by -20\n"
		 "plot for [c=2:%zu] '%s' using c:xtic(1) with linespoints lw 2 title columnheader(c)\n",
		 bench_nmodes, base(dat));
	return gnuplot(dir, "trend", body) ? -1 : 1;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void inline_png(FILE *out, const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char in[3];
	size_t n;
	if (!f)
		return;
	fprintf(out, "<img alt=\"chart\" src=\"data:image/png;base64,");
	while ((n = fread(in, 1, 3, f)) > 0) {
		unsigned v = (unsigned)in[0] << 16 | (n > 1 ? (unsigned)in[1] << 8 : 0) | (n > 2 ? in[2] : 0);
		fputc(b64[v >> 18 & 63], out), fputc(b64[v >> 12 & 63], out);
		fputc(n > 1 ? b64[v >> 6 & 63] : '=', out), fputc(n > 2 ? b64[v & 63] : '=', out);
	}
	fprintf(out, "\">\n");
	fclose(f);
}

static void tables(FILE *html, FILE *md, const struct bench_results *doc)
{
	for (size_t g = 0; g < bench_nguests; g++) {
		const char *modes[NMODES], *w[64], *guest = bench_guests[g].name;
		int nm = modes_with(doc, guest, modes), nw = workloads(doc, guest, w, 64);
		if (!nm)
			continue;
		fprintf(html,
			"<h2>%s (cycles per iteration, median; spread = IQR/median)</h2>\n<table><tr><th>workload</th>",
			guest);
		fprintf(md, "\n## %s (cycles per iteration, median)\n\n| workload |", guest);
		for (int m = 0; m < nm; m++)
			fprintf(html, "<th>%s</th>", modes[m]), fprintf(md, " %s |", modes[m]);
		fprintf(html, "</tr>\n");
		fprintf(md, "\n|---|");
		for (int m = 0; m < nm; m++)
			fprintf(md, "---|");
		fputc('\n', md);
		for (int i = 0; i < nw; i++) {
			fprintf(html, "<tr><td>"), esc_html(html, w[i]), fprintf(html, "</td>");
			fprintf(md, "| "), esc_md(md, w[i]), fprintf(md, " |");
			for (int m = 0; m < nm; m++) {
				const struct bench_row *r = bench_results_find(doc, guest, w[i], modes[m]);
				double med = r ? r->median : -1, ov = r ? r->overhead : -1, sp = r ? r->spread : -1;
				if (med < 0) {
					fprintf(html, "<td>-</td>"), fprintf(md, " - |");
					continue;
				}
				int sus = r->suspect != NULL;
				fprintf(html, "<td>%.1f<br><small>%s%.2fx &plusmn;%.0f%%</small></td>", med,
					sus ? "suspect: " : "", ov > 0 ? ov : 0, sp * 100);
				if (ov > 0)
					fprintf(md, " %.1f (%.2fx)%s |", med, ov, sus ? " suspect" : "");
				else
					fprintf(md, " %.1f%s |", med, sus ? " suspect" : "");
			}
			fprintf(html, "</tr>\n"), fputc('\n', md);
		}
		fprintf(html, "</table>\n");
	}
}

/* Figures the harness judged implausible, with its reason (not charted). */
static void suspects(FILE *html, FILE *md, const struct bench_results *doc)
{
	size_t n = 0;
	for (size_t i = 0; i < doc->n; i++) {
		const char *why = doc->rows[i].suspect;
		if (!why)
			continue;
		if (!n++) {
			fprintf(html, "<h2>Suspect figures (not charted)</h2>\n<ul>\n");
			fprintf(md, "\n## Suspect figures (not charted)\n\n");
		}
		const char *g = doc->rows[i].guest, *w = doc->rows[i].workload, *m = doc->rows[i].mode;
		fprintf(html, "<li>");
		esc_html(html, g), fputc('/', html), esc_html(html, w), fprintf(html, " under "), esc_html(html, m);
		fprintf(html, ": "), esc_html(html, why), fprintf(html, "</li>\n");
		fprintf(md, "- "), esc_md(md, g), fputc('/', md), esc_md(md, w);
		fprintf(md, " under "), esc_md(md, m), fprintf(md, ": "), esc_md(md, why), fputc('\n', md);
	}
	if (n)
		fprintf(html, "</ul>\n");
}

static void provenance(FILE *html, FILE *md, const struct bench_results *run)
{
	json_t *doc = run->doc;
	json_t *h = json_object_get(doc, "host"), *m;
	size_t i;
	fprintf(html, "<h2>Host and hypervisors</h2>\n<ul><li>CPU: ");
	esc_html(html, json_string_value(json_object_get(h, "cpu")));
	fprintf(html, " (");
	esc_html(html, json_string_value(json_object_get(h, "platform")));
	fprintf(html, "), kernel ");
	esc_html(html, json_string_value(json_object_get(h, "kernel")));
	fprintf(html, ", running under ");
	esc_html(html, json_string_value(json_object_get(h, "running_under")));
	fprintf(html, "</li><li>PMU: ");
	esc_html(html, json_string_value(json_object_get(h, "pmu")));
	fprintf(html, "</li><li>hvcert %s, %s</li>", json_string_value(json_object_get(doc, "hvcert")) ?: "?",
		json_string_value(json_object_get(doc, "date")) ?: "?");
	fprintf(md, "\n## Host\n\n- CPU: "), esc_md(md, json_string_value(json_object_get(h, "cpu")) ?: "?");
	fprintf(md, ", kernel "), esc_md(md, json_string_value(json_object_get(h, "kernel")) ?: "?");
	fprintf(md, ", under "), esc_md(md, json_string_value(json_object_get(h, "running_under")) ?: "?");
	fprintf(md, "\n- PMU: "), esc_md(md, json_string_value(json_object_get(h, "pmu")) ?: "?");
	fprintf(md, "\n\n## Modes\n\n");
	json_array_foreach (json_object_get(doc, "modes"), i, m) {
		int ok = json_is_true(json_object_get(m, "available"));
		fprintf(html, "<li>"), esc_html(html, json_string_value(json_object_get(m, "name"))),
		    fprintf(html, ": ");
		esc_html(html, ok ? json_string_value(json_object_get(m, "version")) : "skipped");
		if (!ok)
			fprintf(html, " (&nbsp;"), esc_html(html, json_string_value(json_object_get(m, "reason"))),
			    fprintf(html, ")");
		fprintf(html, "</li>\n");
		fprintf(md, "- "), esc_md(md, json_string_value(json_object_get(m, "name")) ?: "?"), fprintf(md, ": ");
		if (ok)
			esc_md(md, json_string_value(json_object_get(m, "version")) ?: "?");
		else
			fprintf(md, "skipped ("), esc_md(md, json_string_value(json_object_get(m, "reason")) ?: "?"),
			    fputc(')', md);
		fputc('\n', md);
	}
	fprintf(html, "</ul>\n<h2>Certification of this host</h2>\n<ul>");
	fprintf(md, "\n## Certification of this host\n\n");
	const char *k;
	json_t *v;
	json_object_foreach (json_object_get(h, "certification"), k, v) {
		fprintf(html, "<li>"), esc_html(html, k), fprintf(html, ": "), esc_html(html, json_string_value(v));
		fprintf(html, "</li>");
		fprintf(md, "- "), esc_md(md, k), fprintf(md, ": "), esc_md(md, json_string_value(v) ?: "?");
		fputc('\n', md);
	}
	fprintf(html, "</ul>\n");
}

int bench_report(const struct bench_results *runs, size_t n, const char *dir, char *err, size_t errlen)
{
	const struct bench_results *doc = &runs[n - 1];
	char path[4096];
	if (mkdir(dir, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	struct {
		const char *name;
		int made;
	} charts[5] = {{"overhead", 0}, {"nanobench", 0}, {"io", 0}, {"blk", 0}, {"trend", 0}};
	charts[0].made =
	    chart(dir, doc, "compute", 1, "overhead", "x native (median, log)", "Compute overhead by technique", 1);
	charts[1].made = chart(dir, doc, "nanobench", 0, "nanobench", "cycles per operation (log)",
			       "Nanobenchmarks by technique", 1);
	charts[2].made = io_chart(dir, doc);
	charts[3].made = blk_chart(dir, doc);
	charts[4].made = trend(dir, runs, n);
	for (int i = 0; i < 5; i++)
		if (charts[i].made < 0) {
			snprintf(err, errlen, "gnuplot failed for %s (see %s/%s.gnuplot.log)", charts[i].name, dir,
				 charts[i].name);
			return -1;
		}
	struct sf_out ho, mo;
	snprintf(path, sizeof(path), "%s/index.html", dir);
	FILE *html = sf_create(&ho, path, err, errlen);
	if (!html)
		return -1;
	snprintf(path, sizeof(path), "%s/report.md", dir);
	FILE *md = sf_create(&mo, path, err, errlen);
	if (!md) {
		sf_abort(&ho);
		return -1;
	}
	fprintf(html, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hvcert overhead "
		      "report</title>\n<style>body{font:14px/1.4 sans-serif;margin:2em}table{border-collapse:collapse;"
		      "margin-bottom:2em}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}"
		      "td:first-child{text-align:left}img{max-width:100%%}</style></head><body>\n"
		      "<h1>Virtualization overhead</h1>\n");
	fprintf(md, "# Virtualization overhead\n");
	bench_summary(html, md, doc);
	for (int i = 0; i < 5; i++) {
		if (charts[i].made <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s.png", dir, charts[i].name);
		inline_png(html, path);
		fprintf(md, "\n![%s](%s.png) ([SVG](%s.svg))\n", charts[i].name, charts[i].name, charts[i].name);
	}
	bench_techniques(html, md, doc);
	tables(html, md, doc);
	suspects(html, md, doc);
	provenance(html, md, doc);
	fprintf(html, "</body></html>\n");
	if (sf_commit(&ho, err, errlen)) {
		sf_abort(&mo);
		return -1;
	}
	return sf_commit(&mo, err, errlen);
}
