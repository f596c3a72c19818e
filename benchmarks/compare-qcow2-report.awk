# compare-qcow2-report.awk: the report of compare-qcow2.sh (POSIX awk; mawk and gawk both run it).
# Input: lines "round<TAB>scenario<TAB>side<TAB>value<TAB>unit", unit MB/s (higher is better) or
# ms (lower is better). Variables: header (file of header lines), txt, json, svg (outputs),
# first_snap and last_snap (the snapshot rows whose coems times must stay flat).
# Ratio = coems speed / peer speed: medians for the ratio, per-round ratios for its range.

function sort_values(a, n,    i, j, t) {
    for (i = 2; i <= n; i++) {
        t = a[i]
        for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
        a[j + 1] = t
    }
}
function median_of(key,    a, n, r) {
    n = 0
    for (r = 1; r <= max_round; r++) if ((key, r) in val) a[++n] = val[key, r]
    if (n == 0) return ""
    sort_values(a, n)
    lo[key] = a[1]; hi[key] = a[n]
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function speed_ratio(sc, c, p) { return unit[sc] == "ms" ? p / c : c / p }
function pad(s, w) { while (length(s) < w) s = " " s; return s }
function padr(s, w) { while (length(s) < w) s = s " "; return s }
function fmt(v) { return v >= 100 ? sprintf("%.0f", v) : v >= 10 ? sprintf("%.1f", v) : sprintf("%.2f", v) }
function log10(x) { return log(x) / log(10) }
function ypos(r) { return plot_top + plot_h * (log10(hi_axis) - log10(r)) / (log10(hi_axis) - log10(lo_axis)) }

BEGIN {
    npeers = split("qcow2 qcow2-int qcow2-ovl", peers, " ")
    colour["qcow2"] = "#4c78a8"; colour["qcow2-int"] = "#f58518"; colour["qcow2-ovl"] = "#54a24b"
    ntargets = 0
}
{
    sc = $2; side = $3
    if (!(sc in unit)) order[++nsc] = sc
    unit[sc] = $5
    val[sc SUBSEP side, $1 + 0] = $4 + 0
    has[sc, side] = 1
    if ($1 + 0 > max_round) max_round = $1 + 0
}
END {
    while ((getline line < header) > 0) lines[++nl] = line
    lines[++nl] = ""
    lines[++nl] = "median [min-max] over " max_round " rounds; ratio = coems speed / peer speed (MB/s: coems/peer; ms: peer/coems),"
    lines[++nl] = "from the medians, [range of the per-round ratios]"
    lines[++nl] = ""
    h = padr("scenario", 22) " " padr("unit", 5) " " pad("coems", 22)
    for (p = 1; p <= npeers; p++) h = h " " pad(peers[p], 22)
    for (p = 1; p <= npeers; p++) h = h " " pad("coems/" peers[p], 20)
    lines[++nl] = h
    lines[++nl] = sprintf("%" length(h) "s", ""); gsub(/ /, "-", lines[nl])
    nbars = 0
    for (i = 1; i <= nsc; i++) {
        sc = order[i]
        row = padr(sc, 22) " " padr(unit[sc], 5)
        cm = median_of(sc SUBSEP "coems")
        med[sc, "coems"] = cm
        row = row " " pad(cm == "" ? "-" : sprintf("%.1f [%s-%s]", cm, fmt(lo[sc SUBSEP "coems"]), fmt(hi[sc SUBSEP "coems"])), 22)
        for (p = 1; p <= npeers; p++) {
            pm = has[sc, peers[p]] ? median_of(sc SUBSEP peers[p]) : ""
            med[sc, peers[p]] = pm
            row = row " " pad(pm == "" ? "-" : sprintf("%.1f [%s-%s]", pm, fmt(lo[sc SUBSEP peers[p]]), fmt(hi[sc SUBSEP peers[p]])), 22)
        }
        for (p = 1; p <= npeers; p++) {
            pm = med[sc, peers[p]]
            if (pm == "" || cm == "" || pm == 0 || cm == 0) { row = row " " pad("-", 20); continue }
            rr = speed_ratio(sc, cm, pm); rlo = ""; rhi = ""
            for (r = 1; r <= max_round; r++) {
                if (((sc SUBSEP "coems", r) in val) && ((sc SUBSEP peers[p], r) in val) && val[sc SUBSEP peers[p], r] > 0 && val[sc SUBSEP "coems", r] > 0) {
                    x = speed_ratio(sc, val[sc SUBSEP "coems", r], val[sc SUBSEP peers[p], r])
                    if (rlo == "" || x < rlo) rlo = x
                    if (rhi == "" || x > rhi) rhi = x
                }
            }
            ratio[sc, peers[p]] = rr; ratio_lo[sc, peers[p]] = rlo; ratio_hi[sc, peers[p]] = rhi
            row = row " " pad(sprintf("%.2fx [%.2f-%.2f]", rr, rlo, rhi), 20)
            bar_sc[++nbars] = sc; bar_peer[nbars] = peers[p]
        }
        sub(/ +$/, "", row)
        lines[++nl] = row
    }
    lines[++nl] = ""
    # target: scenario, peer, wanted ratio, text
    nt = split("firstwrite-64k qcow2-int 5 first 64 KiB writes after a snapshot vs qcow2 internal snapshot|" \
               "firstwrite-64k qcow2-ovl 2 first 64 KiB writes after a snapshot vs qcow2 overlay|" \
               "firstwrite-4k-cow qcow2-ovl 3 4 KiB first writes copying a block vs qcow2 overlay|" \
               "overwrite-64k qcow2 1 overwrite of owned 64 KiB blocks vs qcow2|" \
               "seqread-64k qcow2 1 sequential 64 KiB reads of owned blocks vs qcow2|" \
               "randread-64k qcow2 1 scattered 64 KiB reads of owned blocks vs qcow2|" \
               "randread-4k qcow2 1 scattered 4 KiB reads of owned blocks vs qcow2|" \
               "clone-read-64k qcow2-ovl 1 64 KiB reads of a clone's shared blocks vs qcow2 overlay read-through", tl, "|")
    for (t = 1; t <= nt; t++) {
        split(tl[t], f, " ")
        text = tl[t]; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", text)
        if (!((f[1], f[2]) in ratio)) continue
        got = ratio[f[1], f[2]]; ok = got >= f[3]
        tgt_sc[++ntargets] = f[1]; tgt_peer[ntargets] = f[2]; tgt_want[ntargets] = f[3]
        tgt_text[ntargets] = text; tgt_got[ntargets] = got; tgt_ok[ntargets] = ok
        lines[++nl] = sprintf("%s  coems >= %.1fx, %s: %.2fx", ok ? "PASS" : "FAIL", f[3], text, got)
    }
    if (med[first_snap, "coems"] != "" && med[last_snap, "coems"] != "" && first_snap != last_snap) {
        flat = med[last_snap, "coems"] / med[first_snap, "coems"]
        ok = flat <= 1.5
        tgt_sc[++ntargets] = last_snap; tgt_peer[ntargets] = ""; tgt_want[ntargets] = 1.5
        tgt_text[ntargets] = "coems snapshot time " last_snap " / " first_snap " <= 1.5"; tgt_got[ntargets] = flat; tgt_ok[ntargets] = ok
        lines[++nl] = sprintf("%s  coems snapshot time flat: %s / %s = %.2f (<= 1.5)", ok ? "PASS" : "FAIL", last_snap, first_snap, flat)
        if (med[first_snap, "qcow2-int"] != "" && med[last_snap, "qcow2-int"] != "")
            lines[++nl] = sprintf("info  qcow2 internal snapshot time %s / %s = %.2f", last_snap, first_snap, med[last_snap, "qcow2-int"] / med[first_snap, "qcow2-int"])
    }
    if (("clone-firstwrite-64k", "qcow2-ovl") in ratio)
        lines[++nl] = sprintf("info  first 64 KiB writes into a clone vs qcow2 overlay: %.2fx (no target)", ratio["clone-firstwrite-64k", "qcow2-ovl"])

    for (i = 1; i <= nl; i++) print lines[i] > txt
    close(txt)

    # JSON
    printf "{\n \"header\": [" > json
    for (i = 1; i <= nl && lines[i] != ""; i++) { s = lines[i]; gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); printf("%s\"%s\"", (i > 1 ? ", " : ""), s) > json }
    printf "],\n \"scenarios\": {" > json
    for (i = 1; i <= nsc; i++) {
        sc = order[i]
        printf("%s\n  \"%s\": {\"unit\": \"%s\", \"sides\": {", (i > 1 ? "," : ""), sc, unit[sc]) > json
        n = 0
        split("coems qcow2 qcow2-int qcow2-ovl", all, " ")
        for (p = 1; p <= 4; p++) {
            if (med[sc, all[p]] == "") continue
            printf "%s\"%s\": {\"median\": %s, \"rounds\": [", n++ ? ", " : "", all[p], med[sc, all[p]] > json
            m = 0
            for (r = 1; r <= max_round; r++) if ((sc SUBSEP all[p], r) in val) printf "%s%s", m++ ? ", " : "", val[sc SUBSEP all[p], r] > json
            printf "]}" > json
        }
        printf "}, \"ratios\": {" > json
        n = 0
        for (p = 1; p <= npeers; p++) if ((sc, peers[p]) in ratio)
            printf "%s\"%s\": {\"ratio\": %.4f, \"per_round_min\": %.4f, \"per_round_max\": %.4f}", n++ ? ", " : "", peers[p], ratio[sc, peers[p]], ratio_lo[sc, peers[p]], ratio_hi[sc, peers[p]] > json
        printf "}}" > json
    }
    printf "\n },\n \"targets\": [" > json
    for (t = 1; t <= ntargets; t++)
        printf("%s\n  {\"target\": \"%s\", \"want\": %s, \"got\": %.4f, \"pass\": %s}", (t > 1 ? "," : ""), tgt_text[t], tgt_want[t], tgt_got[t], (tgt_ok[t] ? "true" : "false")) > json
    printf "\n ]\n}\n" > json
    close(json)

    # SVG: grouped bars of the ratio per scenario, log scale, the 1.0x line, target marks.
    lo_axis = 0.1; hi_axis = 10
    for (b = 1; b <= nbars; b++) {
        x = ratio[bar_sc[b], bar_peer[b]]
        while (x < lo_axis) lo_axis /= 10
        while (x > hi_axis) hi_axis *= 10
    }
    bar_w = 26; gap = 22; plot_left = 70; plot_top = 60; plot_h = 320
    ngroups = 0; xcur = plot_left + gap
    for (i = 1; i <= nsc; i++) {
        sc = order[i]; nb = 0
        for (p = 1; p <= npeers; p++) if ((sc, peers[p]) in ratio) nb++
        if (nb == 0) continue
        group_x[sc] = xcur; group_n[sc] = nb; group_order[++ngroups] = sc
        xcur += nb * bar_w + gap
    }
    width = xcur + 150 < 820 ? 820 : xcur + 150; height = plot_top + plot_h + 150
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n", width, height > svg
    printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n" > svg
    printf "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">COEMS / qcow2, speed ratio per scenario (log scale; above 1.0x COEMS is faster)</text>\n", 10 > svg
    s = lines[1]; gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s)
    printf "<text x=\"%d\" y=\"40\" fill=\"#555\">%s</text>\n", 10, s > svg
    for (d = lo_axis; d <= hi_axis * 1.0001; d *= 10) {
        for (k = 1; k <= 9; k++) {
            v = d * k
            if (v > hi_axis * 1.0001) break
            y = ypos(v)
            printf "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n", plot_left, xcur, y, y, k == 1 ? "#bbb" : "#eee" > svg
            if (k == 1 || k == 2 || k == 5) printf("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%gx</text>\n", plot_left - 6, y + 4, v) > svg
        }
    }
    y1 = ypos(1)
    printf "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\" stroke-width=\"1.5\"/>\n", plot_left, xcur, y1, y1 > svg
    printf "<text x=\"%d\" y=\"%.1f\" font-weight=\"bold\">1.0x</text>\n", xcur + 4, y1 + 4 > svg
    for (g = 1; g <= ngroups; g++) {
        sc = group_order[g]; x = group_x[sc]
        for (p = 1; p <= npeers; p++) {
            if (!((sc, peers[p]) in ratio)) continue
            r = ratio[sc, peers[p]]; y = ypos(r)
            top = y < y1 ? y : y1; h = y < y1 ? y1 - y : y - y1
            printf "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"><title>%s vs %s: %.2fx</title></rect>\n", x, top, bar_w - 3, h < 1 ? 1 : h, colour[peers[p]], sc, peers[p], r > svg
            printf "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"9\">%s</text>\n", x + (bar_w - 3) / 2, (y < y1 ? y - 3 : y + 11), fmt(r) > svg
            for (t = 1; t <= ntargets; t++) if (tgt_sc[t] == sc && tgt_peer[t] == peers[p]) {
                yt = ypos(tgt_want[t])
                printf "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" stroke-width=\"2.5\"><title>target %sx</title></line>\n", x - 2, x + bar_w - 1, yt, yt, tgt_want[t] > svg
            }
            x += bar_w
        }
        cx = group_x[sc] + group_n[sc] * bar_w / 2
        printf "<text transform=\"translate(%.1f,%d) rotate(35)\">%s</text>\n", cx - 8, plot_top + plot_h + 14, sc > svg
    }
    ly = plot_top + 10
    for (p = 1; p <= npeers; p++) {
        printf "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">vs %s</text>\n", xcur + 40, ly, colour[peers[p]], xcur + 58, ly + 10, peers[p] > svg
        ly += 18
    }
    printf "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#d62728\" stroke-width=\"2.5\"/><text x=\"%d\" y=\"%d\">target</text>\n", xcur + 40, xcur + 52, ly + 6, ly + 6, xcur + 58, ly + 10 > svg
    printf "<text x=\"%d\" y=\"%d\" fill=\"#555\">snapshot rows: qcow2 time / COEMS time</text>\n", plot_left, height - 12 > svg
    printf "</svg>\n" > svg
    close(svg)
}
