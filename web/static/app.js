// budgetsim's page: one scenario, its assumptions as sliders, every figure recomputed by the
// server's /api/run on each change. Plain JavaScript, no framework, no build step, nothing
// from another origin (the page must work with no internet). Charts are SVG drawn here.
//
// Safety: text that comes from a request or a response (scenario names, messages) is only
// ever set with textContent or as an attribute value, never parsed as HTML; the page's
// Content-Security-Policy forbids inline scripts and styles anyway.
"use strict";

(() => {
  const SVG = "http://www.w3.org/2000/svg";
  const DEBOUNCE_MS = 50;
  const FAN_DELAY_MS = 120;
  const FAN_DRAWS = 200;
  const COLOURS = {
    a: "#1f5fa8",
    base: "#6b6b6b",
    b: "#c2561a",
    band: "#1f5fa8",
    pass: "#1b7a3d",
    fail: "#b3261e",
    grid: "#d9d9d9",
    text: "#1a1a1a",
    funding: ["#7a4fa0", "#b8860b", "#2a8a8a", "#9c3d54", "#4f7a28", "#5a5a9c"],
  };
  const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

  const $ = (id) => document.getElementById(id);

  const state = {
    scenarios: [],
    source: null, // {scenario: name} or {yaml: text}
    controls: [],
    values: new Map(), // control key -> current value
    meta: null,
    shipped: null, // the run with no overrides (for "as shipped" columns)
    run: null,
    fan: null,
    fanFor: "",
    compare: { on: false, name: "", run: null },
    runAbort: null,
    fanAbort: null,
    timer: 0,
    lastRun: -1e9,
    sourceSeq: 0,
    fanTimer: 0,
    cursor: new Map(), // chart id -> highlighted year index
    widths: new Map(), // chart id -> its width, read before anything is drawn
    seq: 0,
  };

  // ---------------------------------------------------------------- small helpers

  function node(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function svg(tag, attrs, parent) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (parent) parent.appendChild(e);
    return e;
  }

  function clear(e) {
    while (e.firstChild) e.removeChild(e.firstChild);
  }

  const formats = new Map(); // digits -> Intl.NumberFormat (making one is slow)

  function fmt(v, digits) {
    if (v === null || v === undefined || !Number.isFinite(v)) return "–";
    let f = formats.get(digits);
    if (!f) {
      f = new Intl.NumberFormat("en-GB", {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
      formats.set(digits, f);
    }
    return f.format(v);
  }

  function signed(v, digits) {
    if (!Number.isFinite(v)) return "–";
    const s = fmt(Math.abs(v), digits);
    if (Number(s.replace(/,/g, "")) === 0) return fmt(0, digits);
    return (v < 0 ? "−" : "+") + s;
  }

  function decimals(step) {
    const s = String(step);
    if (s.includes("e-")) return Number(s.split("e-")[1]);
    const i = s.indexOf(".");
    return i < 0 ? 0 : s.length - i - 1;
  }

  function label(run, year) {
    const i = run.years.indexOf(year);
    return i >= 0 ? run.year_labels[i] : String(year);
  }

  function at(run, key, year) {
    const i = run.years.indexOf(year);
    const s = run.series[key];
    return i >= 0 && s ? s[i] : NaN;
  }

  // ---------------------------------------------------------------- requests

  class ApiError extends Error {
    constructor(lines, status) {
      super(lines.join("\n"));
      this.lines = lines;
      this.status = status;
    }
  }

  async function api(path, payload, signal) {
    const init = { signal, headers: { accept: "application/json" } };
    if (payload !== undefined) {
      init.method = "POST";
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(payload);
    }
    const r = await fetch(path, init);
    let data = null;
    try {
      data = await r.json();
    } catch (_) {
      data = null;
    }
    if (!r.ok) {
      let lines = [`${path}: the server answered ${r.status}`];
      if (data && Array.isArray(data.errors)) lines = data.errors.map(String);
      else if (data && typeof data.detail === "string") lines = [data.detail];
      else if (data && Array.isArray(data.detail))
        lines = data.detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg || ""}`);
      throw new ApiError(lines, r.status);
    }
    return data;
  }

  function showErrors(lines) {
    const box = $("errors");
    clear(box);
    if (!lines || !lines.length) {
      box.hidden = true;
      return;
    }
    box.appendChild(node("p", "The scenario could not be run:"));
    const ul = node("ul");
    for (const line of lines) ul.appendChild(node("li", line));
    box.appendChild(ul);
    box.hidden = false;
  }

  const cid = (c) => c.id || c.key;
  const valueOf = (c) => state.values.get(cid(c));

  // A control's value as an override writes it: 3, 2.5, true.
  function text(v) {
    if (typeof v === "boolean") return v ? "true" : "false";
    return String(v);
  }

  // The overrides of every control moved from its default, in the order of the controls.
  // A control may carry templates (`overrides`) in which ${value} is its new value and
  // ${ID} the current value of the control with that id (the target's share and year are
  // set together, as one milestone); without them it is `key=value` (`key+=delta`).
  function overrides() {
    const out = [];
    for (const c of state.controls) {
      const v = valueOf(c);
      if (v === undefined || v === c.value) continue;
      if (Array.isArray(c.overrides) && c.overrides.length) {
        for (const t of c.overrides) {
          out.push(
            t.replace(/\$\{([A-Za-z0-9_]+)\}/g, (m, name) => {
              if (name === "value") return text(v);
              const other = state.controls.find((o) => o.id === name);
              return other ? text(valueOf(other)) : m;
            }),
          );
        }
      } else if (typeof c.value === "boolean") out.push(`${c.key}=${text(v)}`);
      else if (c.kind === "shift") {
        if (v !== 0) out.push(`${c.key}+=${text(v)}`);
      } else out.push(`${c.key}=${text(v)}`);
    }
    // Two controls may write one override (the target's share and year write the same
    // milestone): once is enough. A shift is kept each time: twice adds twice.
    const seen = new Set();
    return out.filter((o) => o.includes("+=") || (!seen.has(o) && seen.add(o)));
  }

  function request(extra) {
    return Object.assign({}, state.source, { overrides: overrides() }, extra || {});
  }

  // ---------------------------------------------------------------- scenario & controls

  async function loadScenarios() {
    const list = await api("/api/scenarios");
    state.scenarios = Array.isArray(list) ? list : list.scenarios || [];
    for (const id of ["scenario", "compare-with"]) {
      const sel = $(id);
      clear(sel);
      for (const s of state.scenarios) {
        const o = node("option", s.title ? `${s.title}` : s.name);
        o.value = s.name;
        sel.appendChild(o);
      }
    }
    const first = state.scenarios.find((s) => s.name === "uk_2030") || state.scenarios[0];
    if (first) $("scenario").value = first.name;
    const other = state.scenarios.find((s) => s.name === "uk_baseline") || state.scenarios[0];
    if (other) $("compare-with").value = other.name;
  }

  // Load a scenario's controls, then run it. A scenario that does not load leaves the page
  // on the one before (its controls and results), with the messages above them.
  async function useSource(source) {
    const ticket = ++state.sourceSeq;
    busy(true);
    let info;
    try {
      info = await api("/api/controls", { ...source, overrides: [] });
    } catch (e) {
      if (ticket !== state.sourceSeq) return;
      busy(false);
      showErrors(e.lines || [String(e)]);
      return;
    }
    if (ticket !== state.sourceSeq) return; // another scenario was picked meanwhile
    if (state.runAbort) state.runAbort.abort();
    clearTimeout(state.fanTimer);
    if (state.fanAbort) state.fanAbort.abort();
    state.source = source;
    state.shipped = null;
    state.fan = null;
    state.fanFor = "";
    state.fanError = "";
    showErrors(null);
    state.controls = Array.isArray(info) ? info : info.controls || [];
    state.meta = info.meta || info.scenario || null;
    state.values = new Map(state.controls.map((c) => [cid(c), c.value]));
    buildControls();
    await runNow();
  }

  function controlText(c, v) {
    if (typeof c.value === "boolean") return v ? "on" : "off";
    const d = decimals(c.step || 1);
    const shown = c.kind === "shift" ? signed(v, d) : fmt(v, d);
    const u = c.unit === "percentage points" ? "pp" : c.unit;
    const unit = u && u !== "year" ? ` ${u}` : "";
    // a year as the results label it (2030-31 for a fiscal year starting in 2030)
    if (c.unit === "year") return state.run ? label(state.run, v) : String(v);
    return shown + unit;
  }

  function buildControls() {
    const form = $("controls");
    clear(form);
    state.controls.forEach((c, i) => {
      const id = `ctl-${i}`;
      const wrap = node("div", null, typeof c.value === "boolean" ? "field check" : "field range");
      if (typeof c.value === "boolean") {
        const input = document.createElement("input");
        input.type = "checkbox";
        input.id = id;
        input.checked = Boolean(valueOf(c));
        input.dataset.key = c.key;
        input.dataset.control = cid(c);
        input.addEventListener("change", () => {
          state.values.set(cid(c), input.checked);
          schedule();
        });
        const lab = node("label", c.label || c.key);
        lab.htmlFor = id;
        wrap.append(input, lab);
      } else {
        const lab = node("label", c.label || c.key);
        lab.htmlFor = id;
        const out = node("output", controlText(c, valueOf(c)));
        out.htmlFor = id;
        out.id = `${id}-out`;
        const input = document.createElement("input");
        input.type = "range";
        input.id = id;
        input.min = String(c.min);
        input.max = String(c.max);
        input.step = String(c.step || "any");
        input.value = String(valueOf(c));
        input.dataset.key = c.key;
        input.dataset.control = cid(c);
        input.setAttribute("aria-valuetext", controlText(c, valueOf(c)));
        const top = node("div", null, "range-top");
        top.append(lab, out);
        const d = decimals(c.step || 1);
        input.addEventListener("input", () => {
          const v = Number(Number(input.value).toFixed(d));
          state.values.set(cid(c), v);
          const t = controlText(c, v);
          out.textContent = t;
          input.setAttribute("aria-valuetext", t);
          document.documentElement.dataset.inputAt = String(performance.now());
          schedule();
        });
        wrap.append(top, input);
        if (c.help) wrap.appendChild(node("p", c.help, "hint"));
      }
      form.appendChild(wrap);
    });
    if (!state.controls.length) form.appendChild(node("p", "This scenario has no controls.", "hint"));
  }

  function resetControls() {
    state.values = new Map(state.controls.map((c) => [cid(c), c.value]));
    buildControls();
    schedule();
  }

  // ---------------------------------------------------------------- running

  // At most one run every DEBOUNCE_MS: a single change (a key press) runs at once; while a
  // slider is dragged the changes in between are folded into one trailing run, which reads
  // the values as they are when it starts. A newer run aborts the request of an older one.
  function schedule() {
    if (state.timer) return;
    const wait = state.lastRun + DEBOUNCE_MS - performance.now();
    if (wait <= 0) {
      state.lastRun = performance.now();
      runNow();
      return;
    }
    state.timer = setTimeout(() => {
      state.timer = 0;
      state.lastRun = performance.now();
      runNow();
    }, wait);
  }

  function busy(on) {
    $("busy").textContent = on ? "updating…" : "";
    document.documentElement.dataset.busy = on ? "1" : "0";
  }

  async function runNow() {
    if (!state.source) return;
    if (state.runAbort) state.runAbort.abort();
    // the quick fan of the previous values is no longer wanted
    clearTimeout(state.fanTimer);
    if (state.fanAbort) state.fanAbort.abort();
    const ctl = new AbortController();
    state.runAbort = ctl;
    const seq = ++state.seq;
    const t0 = performance.now();
    busy(true);
    const body = request();
    const key = JSON.stringify(body);
    try {
      const jobs = [api("/api/run", body, ctl.signal)];
      if (!state.shipped) jobs.push(api("/api/run", { ...state.source, overrides: [] }, ctl.signal));
      if (state.compare.on && !state.compare.run)
        jobs.push(api("/api/run", { scenario: state.compare.name, overrides: [] }, ctl.signal));
      const [run, ...rest] = await Promise.all(jobs);
      if (seq !== state.seq) return;
      if (!state.shipped) state.shipped = rest.shift();
      if (state.compare.on && !state.compare.run) state.compare.run = rest.shift();
      state.run = run;
      state.fanStale = state.fanFor !== key;
      showErrors(null);
      const t1 = performance.now();
      render();
      busy(false);
      const t2 = performance.now();
      const d = document.documentElement.dataset;
      d.fetchMs = (t1 - t0).toFixed(1);
      d.renderMs = (t2 - t1).toFixed(1);
      d.renderedAt = String(t2);
      d.renders = String(seq);
      scheduleFan(key, body);
    } catch (e) {
      if (e.name === "AbortError") return;
      if (seq !== state.seq) return;
      busy(false);
      showErrors(e.lines || [String(e.message || e)]);
    }
  }

  function scheduleFan(key, body) {
    clearTimeout(state.fanTimer);
    if (state.fanFor === key && state.fan) return;
    if (state.meta && state.meta.uncertainty === false) return; // no shocks: no fan
    state.fanTimer = setTimeout(async () => {
      if (state.fanAbort) state.fanAbort.abort();
      const ctl = new AbortController();
      state.fanAbort = ctl;
      try {
        const fan = await api("/api/fan", { ...body, draws: FAN_DRAWS }, ctl.signal);
        if (JSON.stringify(request()) !== key) return; // the sliders moved meanwhile
        state.fan = fan;
        state.fanFor = key;
        state.fanStale = false;
        state.fanError = "";
        $("fan-draws").textContent = String(fan.draws || FAN_DRAWS);
        renderHeadline();
        renderCharts();
        document.documentElement.dataset.fanAt = String(performance.now());
      } catch (e) {
        if (e.name === "AbortError") return;
        state.fanError = (e.lines || [String(e.message || e)]).join("; ");
        renderHeadline();
      }
    }, FAN_DELAY_MS);
  }

  // ---------------------------------------------------------------- rendering

  // Every chart's width, read at once before the page is written to (reading a size after
  // a change makes the browser lay the page out again, once per chart).
  function measure() {
    for (const fig of document.querySelectorAll(".chart")) state.widths.set(fig.id, fig.clientWidth);
  }

  function render() {
    measure();
    const run = state.run;
    state.controls.forEach((c, i) => {
      if (c.unit !== "year") return;
      const t = controlText(c, valueOf(c));
      const out = $(`ctl-${i}-out`);
      if (out && out.textContent !== t) {
        out.textContent = t;
        $(`ctl-${i}`).setAttribute("aria-valuetext", t);
      }
    });
    $("title").textContent = run.scenario;
    const n = overrides().length;
    $("edited").textContent = n ? "(with your changes)" : "";
    $("country").textContent = run.country ? `${run.country} · figures in ${run.unit}` : `figures in ${run.unit}`;
    renderHeadline();
    renderCharts();
    renderDiff();
    renderYears();
    renderCompare();
    renderSources();
  }

  // The rules by name, each with the years it is checked in, those it fails and the
  // year of least headroom.
  function ruleGroups(run) {
    const groups = new Map();
    for (const r of run.rules || []) {
      if (!groups.has(r.name)) groups.set(r.name, { name: r.name, entries: [] });
      groups.get(r.name).entries.push(r);
    }
    for (const g of groups.values()) {
      g.tightest = g.entries.reduce((a, r) => (r.headroom < a.headroom ? r : a));
      g.failed = g.entries.filter((r) => !r.passed);
    }
    return [...groups.values()];
  }

  function rulesYear(run) {
    if (run.rules && run.rules.length) return run.rules[0].year;
    return run.years[run.years.length - 1];
  }

  function card(key, title, value, sub, cls) {
    const c = node("div", null, `card${cls ? " " + cls : ""}`);
    c.dataset.key = key;
    c.appendChild(node("h3", title));
    c.appendChild(node("p", value, "value"));
    if (sub) c.appendChild(node("p", sub, "sub"));
    return c;
  }

  function headlineCards(run, fan, withChance) {
    const s = run.summary;
    const out = [];
    const cy = s.cost_year;
    out.push(
      card(
        "cost",
        `Extra defence a year, ${label(run, cy)}`,
        `${fmt(s.extra_defence_today_in_cost_year, 1)} ${run.unit}`,
        `in today's terms (${fmt(Math.abs(s.extra_defence_pct_gdp_in_cost_year), 2)} % of GDP ${s.extra_defence_pct_gdp_in_cost_year < 0 ? "less" : "more"} than the baseline); ${fmt(s.extra_defence_in_cost_year, 1)} in cash`,
      ),
    );
    const ry = rulesYear(run);
    const last = run.years[run.years.length - 1];
    out.push(
      card(
        "debt",
        `Debt in ${label(run, ry)}`,
        `${fmt(at(run, "debt_pct_gdp", ry), 1)} % of GDP`,
        `${label(run, last)}: ${fmt(s.debt_pct_gdp_at_horizon, 1)} %, ${signed(s.extra_debt_pct_gdp_at_horizon, 1)} pp against the baseline`,
      ),
    );
    if (s.target_year === null || s.target_year === undefined) {
      out.push(card("target", "Target", "none", "this scenario sets no defence target"));
    } else out.push(
      card(
        "target",
        `Target in ${label(run, s.target_year)}`,
        `${fmt(s.target_pct_gdp, 2)} % of GDP`,
        s.target_met ? `met (${fmt(s.defence_pct_gdp_in_target_year, 2)} %)` : `not met (${fmt(s.defence_pct_gdp_in_target_year, 2)} %)`,
        s.target_met ? "pass" : "fail",
      ),
    );
    for (const g of ruleGroups(run)) {
      const t = g.tightest;
      const name = `${g.name[0].toUpperCase()}${g.name.slice(1)}`;
      const many = g.entries.length > 1;
      const first = label(run, g.entries[0].year);
      const last = label(run, g.entries[g.entries.length - 1].year);
      const passed = g.failed.length === 0;
      let sub = `headroom ${signed(t.headroom, 1)} ${run.unit} (${t.measure})`;
      if (many) {
        sub =
          (passed ? `every year; ` : `in ${g.failed.length} of ${g.entries.length} years; `) +
          `tightest ${label(run, t.year)}: headroom ${signed(t.headroom, 1)} ${run.unit}`;
      }
      out.push(
        card(
          `rule:${g.name}`,
          many ? `${name}, ${first} to ${last}` : `${name}, ${first}`,
          passed ? "✓ passes" : "✗ fails",
          sub,
          passed ? "pass" : "fail",
        ),
      );
    }
    if (withChance && state.meta && state.meta.uncertainty === false) {
      out.push(card("chance", "Chance all rules pass", "–", "no fan: the scenario sets no shocks (no uncertainty: section)"));
    } else if (withChance && state.fanError && !fan) {
      out.push(card("chance", "Chance all rules pass", "–", `no fan: ${state.fanError}`));
    } else if (withChance) {
      const p = fan ? fan.p_all_rules_pass : null;
      const stale = fan && state.fanStale;
      out.push(
        card(
          "chance",
          "Chance all rules pass",
          p === null || p === undefined ? "…" : `${fmt(100 * p, 0)} %`,
          !fan
            ? "computing a quick fan…"
            : stale
              ? "updating: this is the chance before your last change…"
              : `quick fan of ${fan.draws} draws (seed ${fan.seed})`,
          stale ? "stale" : "",
        ),
      );
    }
    return out;
  }

  function renderHeadline() {
    if (!state.run) return;
    const box = $("headline");
    clear(box);
    for (const c of headlineCards(state.run, state.fan, true)) box.appendChild(c);
    renderMini();
  }

  // One line for a phone's screen: the cost, debt and each rule, pinned to its bottom.
  function renderMini() {
    const run = state.run;
    const s = run.summary;
    const mini = $("mini");
    clear(mini);
    mini.appendChild(node("span", `+${fmt(s.extra_defence_today_in_cost_year, 1)} ${run.unit} a year`, "mini-cost"));
    mini.appendChild(node("span", `debt ${fmt(at(run, "debt_pct_gdp", rulesYear(run)), 1)} %`));
    for (const g of ruleGroups(run)) {
      const ok = g.failed.length === 0;
      mini.appendChild(node("span", `${ok ? "✓" : "✗"} ${g.name.replace(/ rule$/, "")}`, ok ? "pass" : "fail"));
    }
  }

  // ---- charts

  function niceTicks(lo, hi, count) {
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
      lo = 0;
      hi = 1;
    }
    // a flat line (a baseline against itself: equal but for rounding) gets a range around it
    if (!(hi - lo > 1e-6 * Math.max(1, Math.abs(lo), Math.abs(hi)))) {
      const pad = Math.abs(lo) * 0.1 || 1;
      lo -= pad;
      hi += pad;
    }
    const raw = (hi - lo) / Math.max(1, count);
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
    const start = Math.floor(lo / step) * step;
    const end = Math.ceil(hi / step) * step;
    const ticks = [];
    for (let k = 0; start + k * step <= end + step / 2 && k < 100; k++) {
      ticks.push(Number((start + k * step).toFixed(10)));
    }
    return { ticks, lo: start, hi: end, step };
  }

  function frame(fig, title, subtitle) {
    const width = Math.max(280, Math.floor(state.widths.get(fig.id) || fig.clientWidth || 560));
    let height = Math.round(Math.min(340, Math.max(250, width * 0.62)));
    const root = svg("svg", {
      xmlns: SVG,
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: "img",
      tabindex: 0,
      "font-family": FONT,
      "aria-label": `${title}. ${subtitle}`,
    });
    svg("title", {}, root).textContent = title;
    const bg = svg("rect", { x: 0, y: 0, width, height, fill: "#ffffff" }, root);
    let y = 0;
    for (const line of wrap(title, (width - 16) / 8.6)) {
      y += 18;
      const t = svg("text", { x: 8, y, "font-size": 15, "font-weight": 600, fill: COLOURS.text }, root);
      t.textContent = line;
    }
    for (const line of wrap(subtitle, (width - 16) / 6.6)) {
      y += 16;
      const t = svg("text", { x: 8, y, "font-size": 12, fill: "#444" }, root);
      t.textContent = line;
    }
    if (y > 35) {
      // a title wrapped: the plot keeps its height below it
      height += y - 35;
      root.setAttribute("viewBox", `0 0 ${width} ${height}`);
      root.setAttribute("height", String(height));
      bg.setAttribute("height", String(height));
    }
    return { root, width, height, next: y + 21 };
  }

  // Words into lines of at most `chars` characters (SVG text does not wrap by itself).
  function wrap(text, chars) {
    const lines = [];
    let line = "";
    for (const word of String(text).split(/\s+/)) {
      if (line && (line + " " + word).length > chars) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(line);
    return lines;
  }

  function legend(root, items, x0, y0, width) {
    let x = x0;
    let y = y0;
    for (const it of items) {
      const w = 22 + it.name.length * 6.4 + 14;
      if (x + w > width - 4 && x > x0) {
        x = x0;
        y += 17;
      }
      if (it.kind === "band") {
        svg("rect", { x, y: y - 8, width: 16, height: 10, fill: it.color, "fill-opacity": it.opacity || 0.25 }, root);
      } else if (it.kind === "bar") {
        svg("rect", { x, y: y - 9, width: 12, height: 12, fill: it.color }, root);
      } else {
        svg("line", {
          x1: x, y1: y - 4, x2: x + 16, y2: y - 4, stroke: it.color, "stroke-width": 2.5,
          "stroke-dasharray": it.dash || "none",
        }, root);
      }
      const t = svg("text", { x: x + 21, y, "font-size": 12, fill: COLOURS.text }, root);
      t.textContent = it.name;
      x += w;
    }
    return y;
  }

  function yAxis(root, scale, ticks, x0, x1, unit) {
    for (const v of ticks) {
      const y = scale(v);
      svg("line", { x1: x0, x2: x1, y1: y, y2: y, stroke: v === 0 ? "#888" : COLOURS.grid, "stroke-width": 1 }, root);
      const t = svg("text", { x: x0 - 5, y: y + 4, "font-size": 11, "text-anchor": "end", fill: "#444" }, root);
      t.textContent = fmt(v, Math.max(0, decimals(ticks.length > 1 ? +(ticks[1] - ticks[0]).toFixed(6) : 1)));
    }
    if (unit) {
      // the unit is in the subtitle; nothing more here
    }
  }

  function xAxis(root, labels, xOf, y, plotWidth) {
    const every = Math.max(1, Math.ceil((labels.length * 58) / plotWidth));
    labels.forEach((lab, i) => {
      if ((labels.length - 1 - i) % every !== 0) return; // counted from the last year
      const t = svg("text", { x: xOf(i), y: y + 15, "font-size": 11, "text-anchor": "middle", fill: "#444" }, root);
      t.textContent = lab;
    });
  }

  function interactive(fig, chartId, root, spec, xOf, top, bottom, readout) {
    const n = spec.labels.length;
    const cursor = svg("g", { class: "cursor" }, root);
    function show(i) {
      clear(cursor);
      if (i === null || i === undefined || i < 0) {
        readout.textContent = "\u00a0";
        return;
      }
      state.cursor.set(chartId, i);
      const x = xOf(i);
      svg("line", { x1: x, x2: x, y1: top, y2: bottom, stroke: "#333", "stroke-width": 1, "stroke-dasharray": "3 3" }, cursor);
      for (const s of spec.series) {
        const v = s.values[i];
        if (Number.isFinite(v)) svg("circle", { cx: x, cy: spec.y(v), r: 3.5, fill: s.color }, cursor);
      }
      const parts = spec.series
        .filter((s) => Number.isFinite(s.values[i]))
        .map((s) => `${s.name} ${fmt(s.values[i], spec.digits)}`);
      if (spec.extra) parts.push(...spec.extra(i));
      readout.textContent = `${spec.labels[i]}: ${parts.join(" · ")} (${spec.unit})`;
    }
    root.addEventListener("pointermove", (ev) => {
      const box = root.getBoundingClientRect();
      const px = ((ev.clientX - box.left) / box.width) * Number(root.getAttribute("width"));
      let best = 0;
      for (let i = 1; i < n; i++) if (Math.abs(xOf(i) - px) < Math.abs(xOf(best) - px)) best = i;
      show(best);
    });
    root.addEventListener("pointerleave", () => {
      if (document.activeElement !== root) show(null);
    });
    root.addEventListener("keydown", (ev) => {
      let i = state.cursor.has(chartId) ? state.cursor.get(chartId) : -1;
      if (ev.key === "ArrowRight") i = Math.min(n - 1, i + 1);
      else if (ev.key === "ArrowLeft") i = Math.max(0, i < 0 ? 0 : i - 1);
      else if (ev.key === "Home") i = 0;
      else if (ev.key === "End") i = n - 1;
      else return;
      ev.preventDefault();
      show(i);
    });
    root.addEventListener("focus", () => {
      show(state.cursor.has(chartId) ? state.cursor.get(chartId) : n - 1);
    });
    root.addEventListener("blur", () => show(null));
    if (document.activeElement === root || fig.dataset.hadFocus === "1") show(state.cursor.get(chartId));
  }

  function place(fig, root, title, readoutText) {
    const hadFocus = fig.contains(document.activeElement) && document.activeElement.tagName === "svg";
    clear(fig);
    fig.appendChild(root);
    const cap = node("figcaption");
    const readout = node("p", readoutText || "\u00a0", "readout");
    const btn = node("button", "Download PNG", "png");
    btn.type = "button";
    btn.setAttribute("aria-label", `Download the chart “${title}” as PNG`);
    btn.addEventListener("click", () => downloadPng(root, fig.id));
    cap.append(readout, btn);
    fig.appendChild(cap);
    if (hadFocus) root.focus();
    return readout;
  }

  function lineChart(fig, spec) {
    const { root, width, height, next } = frame(fig, spec.title, spec.subtitle);
    const left = 46;
    const right = width - 20; // room for half the last year's label
    const items = spec.series.map((s) => ({ name: s.name, color: s.color, dash: s.dash }));
    for (const b of spec.bands || []) items.push({ name: b.name, color: b.color, opacity: b.opacity, kind: "band" });
    const legendBottom = legend(root, items, 8, next, width);
    const top = legendBottom + 14;
    const bottom = height - 26;
    const all = [];
    for (const s of spec.series) all.push(...s.values.filter(Number.isFinite));
    for (const b of spec.bands || []) all.push(...b.lo.filter(Number.isFinite), ...b.hi.filter(Number.isFinite));
    if (spec.zero) all.push(0);
    let lo = Math.min(...all);
    let hi = Math.max(...all);
    const pad = (hi - lo) * 0.06 || 0.5;
    if (!spec.zero || lo < 0) lo -= pad;
    hi += pad;
    const t = niceTicks(lo, hi, Math.max(3, Math.floor((bottom - top) / 45)));
    const y = (v) => bottom - ((v - t.lo) / (t.hi - t.lo)) * (bottom - top);
    const n = spec.labels.length;
    const xOf = (i) => left + 10 + (n <= 1 ? 0 : (i * (right - left - 20)) / (n - 1));
    yAxis(root, y, t.ticks, left, right);
    xAxis(root, spec.labels, xOf, bottom, right - left);
    if (spec.marker !== undefined && spec.marker >= 0) {
      const x = xOf(spec.marker);
      svg("line", { x1: x, x2: x, y1: top, y2: bottom, stroke: "#999", "stroke-width": 1 }, root);
      const flip = x + 8 + (spec.markerLabel || "").length * 6 > right;
      const mt = svg("text", {
        x: flip ? x - 4 : x + 4, y: top + 11, "font-size": 11, fill: "#555", "text-anchor": flip ? "end" : "start",
      }, root);
      mt.textContent = spec.markerLabel || "";
    }
    for (const b of spec.bands || []) {
      const pts = [];
      for (let i = 0; i < n; i++) pts.push(`${xOf(i).toFixed(1)},${y(b.hi[i]).toFixed(1)}`);
      for (let i = n - 1; i >= 0; i--) pts.push(`${xOf(i).toFixed(1)},${y(b.lo[i]).toFixed(1)}`);
      svg("polygon", { points: pts.join(" "), fill: b.color, "fill-opacity": b.opacity || 0.2, stroke: "none" }, root);
    }
    for (const s of spec.series) {
      const pts = [];
      s.values.forEach((v, i) => {
        if (Number.isFinite(v)) pts.push(`${xOf(i).toFixed(1)},${y(v).toFixed(1)}`);
      });
      svg("polyline", {
        points: pts.join(" "),
        fill: "none",
        stroke: s.color,
        "stroke-width": s.width || 2.5,
        "stroke-dasharray": s.dash || "none",
        "stroke-linejoin": "round",
        "data-series": s.name,
      }, root);
    }
    const readout = place(fig, root, spec.title);
    interactive(fig, fig.id, root, { ...spec, y }, xOf, top, bottom, readout);
  }

  function barChart(fig, spec) {
    // stacked bars by year: spec.stacks = [{name, values, color}]
    const { root, width, height, next } = frame(fig, spec.title, spec.subtitle);
    const left = 46;
    const right = width - 14;
    const items = spec.stacks.map((s) => ({ name: s.name, color: s.color, kind: "bar" }));
    const legendBottom = legend(root, items, 8, next, width);
    const top = legendBottom + 14;
    const bottom = height - 26;
    const n = spec.labels.length;
    let hi = 0;
    let lo = 0;
    for (let i = 0; i < n; i++) {
      let p = 0;
      let m = 0;
      for (const s of spec.stacks) {
        const v = s.values[i] || 0;
        if (v >= 0) p += v;
        else m += v;
      }
      hi = Math.max(hi, p);
      lo = Math.min(lo, m);
    }
    const t = niceTicks(lo, hi * 1.05 || 1, Math.max(3, Math.floor((bottom - top) / 45)));
    const y = (v) => bottom - ((v - t.lo) / (t.hi - t.lo)) * (bottom - top);
    const slot = (right - left) / n;
    const xOf = (i) => left + slot * (i + 0.5);
    yAxis(root, y, t.ticks, left, right);
    xAxis(root, spec.labels, xOf, bottom, right - left);
    const bw = Math.max(4, slot * 0.62);
    for (let i = 0; i < n; i++) {
      let p = 0;
      let m = 0;
      for (const s of spec.stacks) {
        const v = s.values[i] || 0;
        if (v === 0) continue;
        const from = v >= 0 ? p : m;
        const to = from + v;
        if (v >= 0) p = to;
        else m = to;
        svg("rect", {
          x: xOf(i) - bw / 2,
          y: Math.min(y(from), y(to)),
          width: bw,
          height: Math.max(0.5, Math.abs(y(to) - y(from))),
          fill: s.color,
        }, root);
      }
    }
    svg("line", { x1: left, x2: right, y1: y(0), y2: y(0), stroke: "#666" }, root);
    const readout = place(fig, root, spec.title);
    const series = spec.stacks.map((s) => ({ ...s, values: s.values.map((v) => v || 0) }));
    interactive(fig, fig.id, root, {
      labels: spec.labels, series: series.map((s) => ({ ...s, values: s.values.map(() => NaN) })),
      y, unit: spec.unit, digits: 1,
      extra: (i) => series.map((s) => `${s.name} ${fmt(s.values[i], 1)}`),
    }, xOf, top, bottom, readout);
  }

  function headroomChart(fig, rows, unit, subtitle) {
    // rows: [{name, central, lo, hi, color}]
    const title = "Headroom against each fiscal rule";
    const { root, width, height, next } = frame(fig, title, subtitle);
    const items = [
      { name: "passes", color: COLOURS.pass, kind: "bar" },
      { name: "fails", color: COLOURS.fail, kind: "bar" },
    ];
    if (rows.some((r) => Number.isFinite(r.lo))) items.push({ name: "5th–95th percentile", color: "#222", kind: "line" });
    const legendBottom = legend(root, items, 8, next, width);
    const top = legendBottom + 12;
    const bottom = height - 26;
    const longest = Math.max(...rows.map((r) => r.name.length));
    const labelW = Math.min(width * 0.45, Math.max(60, longest * 6.8 + 6));
    const left = labelW + 8;
    const right = width - 16;
    const vals = [0];
    for (const r of rows) vals.push(...[r.central, r.lo, r.hi].filter(Number.isFinite));
    const t = niceTicks(Math.min(...vals), Math.max(...vals), Math.max(3, Math.floor((right - left) / 70)));
    const x = (v) => left + ((v - t.lo) / (t.hi - t.lo)) * (right - left);
    for (const v of t.ticks) {
      svg("line", { x1: x(v), x2: x(v), y1: top, y2: bottom, stroke: v === 0 ? "#666" : COLOURS.grid }, root);
      const tt = svg("text", { x: x(v), y: bottom + 15, "font-size": 11, "text-anchor": "middle", fill: "#444" }, root);
      tt.textContent = fmt(v, decimals(+t.step.toFixed(6)));
    }
    const slot = (bottom - top) / Math.max(1, rows.length);
    const bh = Math.min(26, slot * 0.5);
    rows.forEach((r, i) => {
      const cy = top + slot * (i + 0.5);
      const lines = wrap(r.name, Math.max(8, Math.floor(labelW / 6.8)));
      lines.forEach((line, k) => {
        const ty = cy + 4 + (k - (lines.length - 1) / 2) * 14;
        const name = svg("text", { x: labelW, y: ty, "font-size": 12, "text-anchor": "end", fill: COLOURS.text }, root);
        name.textContent = line;
      });
      const x0 = x(0);
      const x1 = x(r.central);
      svg("rect", {
        x: Math.min(x0, x1), y: cy - bh / 2, width: Math.max(1, Math.abs(x1 - x0)), height: bh,
        fill: r.central >= 0 ? COLOURS.pass : COLOURS.fail, "fill-opacity": r.faint ? 0.55 : 0.9,
      }, root);
      if (Number.isFinite(r.lo) && Number.isFinite(r.hi)) {
        svg("line", { x1: x(r.lo), x2: x(r.hi), y1: cy, y2: cy, stroke: "#222", "stroke-width": 1.5 }, root);
        for (const v of [r.lo, r.hi]) svg("line", { x1: x(v), x2: x(v), y1: cy - 6, y2: cy + 6, stroke: "#222", "stroke-width": 1.5 }, root);
      }
      const vt = svg("text", {
        x: r.central >= 0 ? Math.max(x1, Number.isFinite(r.hi) ? x(r.hi) : x1) + 4 : Math.min(x1, Number.isFinite(r.lo) ? x(r.lo) : x1) - 4,
        y: cy - bh / 2 - 3, "font-size": 11, "text-anchor": r.central >= 0 ? "start" : "end", fill: COLOURS.text,
      }, root);
      vt.textContent = signed(r.central, 1);
    });
    root.removeAttribute("tabindex");
    const text = rows.map((r) => `${r.name}: ${signed(r.central, 1)} ${unit}`).join(" · ");
    place(fig, root, title, text);
  }

  function renderCharts() {
    const run = state.run;
    if (!run) return;
    if (!state.widths.size) measure();
    const b = state.compare.on ? state.compare.run : null;
    const labels = run.year_labels;
    const S = run.series;
    const bShare = S.baseline_defence.map((v, i) => (100 * v) / S.gdp[i]);
    const alignB = (key) => (b ? run.years.map((yr) => at(b, key, yr)) : null);
    const ry = rulesYear(run);
    const marker = run.years.indexOf(ry);
    const bName = b ? `B: ${b.scenario}` : "";
    const aName = b ? "A: this scenario" : "Scenario";

    const share = [
      { name: aName, values: S.defence_pct_gdp, color: COLOURS.a },
      { name: "Baseline", values: bShare, color: COLOURS.base, dash: "6 4", width: 2 },
    ];
    if (b) share.push({ name: short(bName), values: alignB("defence_pct_gdp"), color: COLOURS.b, dash: "2 3" });
    lineChart($("chart-share"), {
      title: "Defence spending, share of GDP",
      subtitle: "% of GDP",
      unit: "% of GDP",
      digits: 2,
      labels,
      series: share,
      marker: run.years.indexOf(run.summary.target_year),
      markerLabel: "target year",
    });

    const cash = [
      { name: aName, values: S.defence, color: COLOURS.a },
      { name: "Baseline", values: S.baseline_defence, color: COLOURS.base, dash: "6 4", width: 2 },
    ];
    if (b) cash.push({ name: short(bName), values: alignB("defence"), color: COLOURS.b, dash: "2 3" });
    lineChart($("chart-cash"), {
      title: "Defence spending, cash",
      subtitle: `${run.unit}, nominal`,
      unit: run.unit,
      digits: 1,
      labels,
      series: cash,
      zero: true,
    });

    const stacks = [];
    const sources = Object.entries(run.sources || {});
    const cutSources = sources.filter(([name]) => sourceKinds(run).get(name) === "cuts");
    if (cutSources.length) {
      cutSources.forEach(([name, values], i) =>
        stacks.push({ name: `cut: ${name.replace(/_/g, " ")}`, values, color: COLOURS.funding[(2 + i) % COLOURS.funding.length] }),
      );
      const rest = S.cuts.map((v, i) => v - cutSources.reduce((acc, [, vs]) => acc + vs[i], 0));
      if (rest.some((v) => Math.abs(v) > 1e-6)) stacks.push({ name: "other cuts", values: rest, color: "#8a8a8a" });
    } else {
      stacks.push({ name: "cuts", values: S.cuts, color: COLOURS.funding[0] });
    }
    stacks.push({ name: "tax", values: S.tax_rise, color: COLOURS.funding[1] });
    stacks.push({ name: "borrowed", values: S.borrowing_for_defence, color: "#9bb7d9" });
    barChart($("chart-funding"), {
      title: "How the extra defence spending is paid for",
      subtitle: `${run.unit} a year, against the baseline`,
      unit: run.unit,
      labels,
      stacks,
    });

    const fan = state.fan;
    const bands = [];
    if (fan && fan.series && fan.series.debt_pct_gdp) {
      const f = fan.series.debt_pct_gdp;
      // While the fan of the latest values is computed, the last one's band is drawn
      // around the new central path (moved by the change in its central value).
      const align = (k) => run.years.map((yr, j) => {
        const i = fan.years.indexOf(yr);
        if (i < 0 || !f[k]) return NaN;
        return state.fanStale && f.central ? f[k][i] + S.debt_pct_gdp[j] - f.central[i] : f[k][i];
      });
      bands.push({ name: "5th–95th percentile", lo: align("P5"), hi: align("P95"), color: COLOURS.band, opacity: 0.14 });
      bands.push({ name: "25th–75th", lo: align("P25"), hi: align("P75"), color: COLOURS.band, opacity: 0.24 });
    }
    const debt = [{ name: aName, values: S.debt_pct_gdp, color: COLOURS.a }];
    if (b) debt.push({ name: short(bName), values: alignB("debt_pct_gdp"), color: COLOURS.b, dash: "2 3" });
    lineChart($("chart-debt"), {
      title: "Public sector net debt",
      subtitle: !fan
        ? state.meta && state.meta.uncertainty === false
          ? "% of GDP (no fan band: the scenario sets no shocks)"
          : state.fanError
            ? "% of GDP (no fan band)"
            : "% of GDP (fan band loading…)"
        : `% of GDP; band: a quick fan of ${fan.draws} draws${state.fanStale ? " (updating…)" : ""}`,
      unit: "% of GDP",
      digits: 1,
      labels,
      series: debt,
      bands,
      marker,
      markerLabel: "rules' year",
    });

    // one row a rule, at its tightest year (a rule may be checked in several years)
    const rows = [];
    const fanRules = new Map(((fan && fan.rules) || []).map((r) => [`${r.name}@${r.year}`, r]));
    const rowName = (prefix, g, r) =>
      `${prefix}${g.name}${g.entries.length > 1 ? ` (${label(run, r.year)})` : ""}`;
    for (const g of ruleGroups(run)) {
      const r = g.tightest;
      const f = state.fanStale ? null : fanRules.get(`${r.name}@${r.year}`);
      rows.push({ name: rowName(b ? "A: " : "", g, r), central: r.headroom, lo: f ? f.P5 : NaN, hi: f ? f.P95 : NaN });
    }
    if (b) {
      for (const g of ruleGroups(b)) {
        rows.push({ name: rowName("B: ", g, g.tightest), central: g.tightest.headroom, lo: NaN, hi: NaN, faint: true });
      }
    }
    if (rows.length) {
      const many = (run.rules || []).length > ruleGroups(run).length;
      headroomChart(
        $("chart-headroom"),
        rows,
        run.unit,
        many ? `${run.unit}, each rule in its tightest year; above zero passes` : `${run.unit} in ${label(run, ry)}; above zero passes`,
      );
      $("chart-headroom").hidden = false;
    } else {
      clear($("chart-headroom"));
      $("chart-headroom").hidden = true;
    }
  }

  // The run's JSON gives each funding source's amounts but not its kind (cuts or tax): the
  // kinds are the split of the sources whose sums are the cuts and the tax rise.
  function sourceKinds(run) {
    const names = Object.keys(run.sources || {});
    const kinds = new Map(names.map((n) => [n, "cuts"]));
    if (!names.length || names.length > 10) return kinds;
    let best = Infinity;
    for (let mask = 0; mask < 1 << names.length; mask++) {
      let err = 0;
      run.years.forEach((_, i) => {
        let cut = 0;
        let tax = 0;
        names.forEach((n, k) => {
          if (mask & (1 << k)) tax += run.sources[n][i];
          else cut += run.sources[n][i];
        });
        err += Math.abs(cut - run.series.cuts[i]) + Math.abs(tax - run.series.tax_rise[i]);
      });
      if (err < best - 1e-9) {
        best = err;
        names.forEach((n, k) => kinds.set(n, mask & (1 << k) ? "tax" : "cuts"));
      }
    }
    return kinds;
  }

  function short(text) {
    return text.length > 42 ? `${text.slice(0, 41)}…` : text;
  }

  // ---- tables

  function table(el, head, rows, opts) {
    clear(el);
    if (opts && opts.caption) el.appendChild(node("caption", opts.caption));
    const thead = node("thead");
    const tr = node("tr");
    head.forEach((h, i) => {
      const th = node("th");
      th.scope = "col";
      th.appendChild(node("span", h[0]));
      if (h[1]) {
        th.appendChild(document.createElement("br"));
        th.appendChild(node("span", h[1], "unit"));
      }
      if (i > 0) th.className = "num";
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    el.appendChild(thead);
    const tbody = node("tbody");
    for (const row of rows) {
      const r = node("tr");
      row.forEach((cell, i) => {
        const c = node(i === 0 ? "th" : "td", cell);
        if (i === 0) c.scope = "row";
        else c.className = "num";
        r.appendChild(c);
      });
      tbody.appendChild(r);
    }
    el.appendChild(tbody);
  }

  function renderYears() {
    const run = state.run;
    const S = run.series;
    const u = run.unit;
    const cols = [
      ["defence_pct_gdp", "Defence", "% of GDP", 2],
      ["defence", "Defence", u, 1],
      ["extra_defence", "Extra defence", u, 1],
      ["cuts", "met by cuts", u, 1],
      ["tax_rise", "met by tax", u, 1],
      ["borrowing_for_defence", "borrowed", u, 1],
      ["interest", "Debt interest", u, 1],
      ["psnb_pct_gdp", "Borrowing", "% of GDP", 2],
      ["current_balance", "Current balance", u, 1],
      ["debt_pct_gdp", "Debt", "% of GDP", 1],
    ].filter((c) => S[c[0]]);
    const head = [["Year", ""], ...cols.map((c) => [c[1], c[2]])];
    const rows = run.years.map((_, i) => [run.year_labels[i], ...cols.map((c) => fmt(S[c[0]][i], c[3]))]);
    table($("year-table"), head, rows);
  }

  function summaryRows(run) {
    const s = run.summary;
    const u = run.unit;
    const last = run.year_labels[run.year_labels.length - 1];
    const first = run.year_labels[0];
    return [
      [`Extra defence in ${label(run, s.cost_year)}, today's terms`, s.extra_defence_today_in_cost_year, u, 1],
      [`Extra defence in ${label(run, s.cost_year)}, cash`, s.extra_defence_in_cost_year, u, 1],
      [`Extra defence in ${label(run, s.cost_year)}, share of GDP`, s.extra_defence_pct_gdp_in_cost_year, "% of GDP", 2],
      [`Extra defence ${first} to ${last}, cash`, s.cumulative_extra_defence, u, 1],
      ["  of which met by cuts", s.cumulative_cuts, u, 1],
      ["  of which met by tax", s.cumulative_tax_rise, u, 1],
      ["  of which borrowed", s.cumulative_borrowing_for_defence, u, 1],
      [`Extra debt in ${last}`, s.extra_debt_at_horizon, u, 1],
      [`Extra debt in ${last}, share of GDP`, s.extra_debt_pct_gdp_at_horizon, "pp of GDP", 2],
      [`Debt in ${last}`, s.debt_pct_gdp_at_horizon, "% of GDP", 1],
      [`Baseline debt in ${last}`, s.baseline_debt_pct_gdp_at_horizon, "% of GDP", 1],
      ...ruleGroups(run).map((g) => [
        g.entries.length > 1 ? `Headroom, ${g.name} (its tightest year)` : `Headroom, ${g.name} (${label(run, g.tightest.year)})`,
        g.tightest.headroom,
        u,
        1,
      ]),
    ];
  }

  function renderDiff() {
    const run = state.run;
    const shipped = state.shipped || run;
    const baseline = state.meta && state.meta.baseline ? state.meta.baseline : "the scenario's baseline";
    $("diff-hint").textContent =
      `Each figure is measured against ${baseline}: defence held at the baseline's path, everything else unchanged. ` +
      "“As shipped” is the scenario without your changes.";
    const a = summaryRows(shipped);
    const now = summaryRows(run);
    const rows = now.map((r, i) => {
      const before = a[i] ? a[i][1] : NaN;
      return [r[0], `${fmt(before, r[3])}`, `${fmt(r[1], r[3])}`, `${signed(r[1] - before, r[3])}`, r[2]];
    });
    table($("diff-table"), [["Against the baseline", ""], ["As shipped", ""], ["With your changes", ""], ["Change", ""], ["Unit", ""]], rows);
  }

  function renderCompare() {
    const sec = $("compare");
    const b = state.compare.run;
    if (!state.compare.on || !b) {
      sec.hidden = true;
      return;
    }
    sec.hidden = false;
    const a = state.run;
    $("compare-a-title").textContent = `A: ${a.scenario}`;
    $("compare-b-title").textContent = `B: ${b.scenario}`;
    for (const [id, run] of [["compare-a", a], ["compare-b", b]]) {
      const box = $(id);
      clear(box);
      for (const c of headlineCards(run, null, false)) box.appendChild(c);
    }
    const ra = summaryRows(a);
    const rb = summaryRows(b);
    const byName = new Map(rb.map((r) => [r[0], r]));
    const rows = ra.map((r) => {
      const o = byName.get(r[0]);
      const bv = o ? o[1] : NaN;
      return [r[0], fmt(r[1], r[3]), fmt(bv, r[3]), signed(bv - r[1], r[3]), r[2]];
    });
    table($("compare-table"), [["Against each one's baseline", ""], ["A", ""], ["B", ""], ["B − A", ""], ["Unit", ""]], rows);
  }

  function renderSources() {
    const dl = $("sources");
    clear(dl);
    const m = state.meta || {};
    const add = (term, text) => {
      if (!text) return;
      dl.appendChild(node("dt", term));
      dl.appendChild(node("dd", text));
    };
    add("Scenario", state.run.scenario);
    add("File", state.run.source);
    add("What it assumes", m.description);
    add("Sources", m.reference);
    add("Baseline", m.baseline);
    add("Base year", `${state.run.base_year}; today's terms are shares of GDP times the base year's GDP`);
    const o = overrides();
    add("Your changes", o.length ? o.join("; ") : "none (the scenario as shipped)");
  }

  // ---------------------------------------------------------------- downloads

  function save(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function stem() {
    const s = state.source && state.source.scenario ? state.source.scenario : "scenario";
    return overrides().length ? `${s}-edited` : s;
  }

  function csvCell(v) {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }

  // A number as Python writes a float (repr): 0.0, 2.5, 1e-05, -0.0; so the CSV is, byte
  // for byte, what `budgetsim run --format csv --raw` writes.
  function pyFloat(v) {
    if (typeof v !== "number") return v;
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    if (Object.is(v, -0)) return "-0.0";
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
      const [mantissa, exp] = v.toExponential().split("e");
      const sign = exp[0] === "-" ? "-" : "+";
      const digits = exp.replace(/^[+-]/, "").padStart(2, "0");
      return `${mantissa}e${sign}${digits}`;
    }
    const text = String(v);
    return Number.isInteger(v) ? `${text}.0` : text;
  }

  function toCsv(run) {
    const keys = Object.keys(run.series);
    const src = Object.keys(run.sources || {});
    const lines = [["year", "label", ...keys, ...src.map((s) => `source:${s}`)].map(csvCell).join(",")];
    run.years.forEach((yr, i) => {
      lines.push(
        [yr, run.year_labels[i], ...keys.map((k) => pyFloat(run.series[k][i])), ...src.map((s) => pyFloat(run.sources[s][i]))]
          .map(csvCell)
          .join(","),
      );
    });
    return lines.join("\n") + "\n";
  }

  async function downloadYaml() {
    try {
      const r = await api("/api/yaml", request());
      save(new Blob([r.yaml], { type: "text/yaml" }), `${stem()}.yaml`);
    } catch (e) {
      showErrors(e.lines || [String(e)]);
    }
  }

  function downloadPng(root, name) {
    const copy = root.cloneNode(true);
    for (const c of copy.querySelectorAll(".cursor")) c.remove();
    const w = Number(root.getAttribute("width"));
    const h = Number(root.getAttribute("height"));
    const text = new XMLSerializer().serializeToString(copy);
    const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
    const img = new Image();
    img.onload = () => {
      const scale = 2;
      const canvas = document.createElement("canvas");
      canvas.width = w * scale;
      canvas.height = h * scale;
      const ctx = canvas.getContext("2d");
      ctx.scale(scale, scale);
      ctx.drawImage(img, 0, 0, w, h);
      URL.revokeObjectURL(url);
      canvas.toBlob((blob) => blob && save(blob, `budgetsim-${name}.png`), "image/png");
    };
    img.onerror = () => URL.revokeObjectURL(url);
    img.src = url;
  }

  // ---------------------------------------------------------------- wiring

  function wire() {
    $("scenario").addEventListener("change", () => useSource({ scenario: $("scenario").value }));
    $("yaml-use").addEventListener("click", () => {
      const text = $("yaml-text").value;
      if (!text.trim()) {
        showErrors(["Paste a scenario's YAML (or choose a file) first."]);
        return;
      }
      useSource({ yaml: text });
    });
    $("yaml-file").addEventListener("change", async () => {
      const f = $("yaml-file").files[0];
      if (!f) return;
      if (f.size > 256 * 1024) {
        showErrors([`${f.name}: over 256 KiB, more than the server accepts`]);
        return;
      }
      $("yaml-text").value = await f.text();
      useSource({ yaml: $("yaml-text").value });
    });
    $("reset").addEventListener("click", resetControls);
    $("compare-on").addEventListener("change", () => {
      state.compare.on = $("compare-on").checked;
      $("compare-with").disabled = !state.compare.on;
      state.compare.name = $("compare-with").value;
      state.compare.run = null;
      schedule();
    });
    $("compare-with").addEventListener("change", () => {
      state.compare.name = $("compare-with").value;
      state.compare.run = null;
      schedule();
    });
    $("dl-yaml").addEventListener("click", downloadYaml);
    $("dl-csv").addEventListener("click", () => {
      if (state.run) save(new Blob([toCsv(state.run)], { type: "text/csv" }), `${stem()}.csv`);
    });
    $("dl-json").addEventListener("click", () => {
      if (state.run)
        save(new Blob([JSON.stringify(state.run, null, 2) + "\n"], { type: "application/json" }), `${stem()}.json`);
    });
    let resizeTimer = 0;
    let lastWidth = window.innerWidth;
    window.addEventListener("resize", () => {
      if (window.innerWidth === lastWidth) return;
      lastWidth = window.innerWidth;
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        measure();
        renderCharts();
      }, 100);
    });
  }

  async function start() {
    wire();
    try {
      const health = await api("/api/health");
      if (health && health.version) $("version").textContent = health.version;
    } catch (_) {
      /* the version is decoration */
    }
    try {
      await loadScenarios();
    } catch (e) {
      showErrors(e.lines || [String(e)]);
      return;
    }
    if ($("scenario").value) await useSource({ scenario: $("scenario").value });
  }

  // exposed for the browser test and the curious; nothing reads it back
  window.budgetsim = { state, toCsv };
  start();
})();
