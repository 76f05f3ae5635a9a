/* The explorer page: one state S, the values V the engine computes from it, and render() that draws both.
 *
 * window.agExplorer (documented in the README, "The explorer"):
 *   setExample(i)      show example i of the data the page holds
 *   setEpoch(e)        the recorded weights after epoch e (null: the network's own weights)
 *   step(n = 1)        walk the forward pass neuron by neuron in topological order, then the backward
 *                      pass in reverse order (the sources' steps 1 and 2), then every ∂ℓ/∂w (step 3);
 *                      n < 0 walks back; step 0 is "not walking": every value shown
 *   reset()            the page as it opened: weights, inputs, example 0, epoch null, step 0
 *   setWeight(i, j, w) w_{i,j} = w (a what-if: every value, the loss and every gradient follow)
 *   setInput(k, x)     x_k = x for the example shown
 *   state()            the example, epoch, step and every neuron's a, z, ∂ℓ/∂a, ∂ℓ/∂z and every edge's
 *                      w, ∂ℓ/∂w (of the example, and the batch mean), as full-precision numbers
 *   equations(target)  the equations the page shows for a neuron id or an edge [i, j]
 */
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("ag-data").textContent);
  const SVG = "http://www.w3.org/2000/svg";
  const FMT = DATA.number_format;
  const COLORS = { input: ["#b2df8a", "#33a02c"], output: ["#fb9a99", "#e31a1c"], bias: ["#a6cee3", "#1f78b4"],
    hidden: ["#eeeeee", "#636363"] };
  const NEGATIVE = [230, 97, 1], ZERO = [186, 186, 186], POSITIVE = [94, 60, 153];

  function decode(text) {
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    return new Float64Array(bytes.buffer);
  }

  const neurons = DATA.neurons;
  const n = neurons.length, m = DATA.src.length, rows = DATA.rows;
  const nIn = DATA.inputs.length, nOut = DATA.outputs.length;
  const src = DATA.src, dst = DATA.dst;
  const engine = new Engine(DATA, DATA.loss.name);
  const W0 = decode(DATA.weights), X0 = decode(DATA.X), Y0 = DATA.Y ? decode(DATA.Y) : null;
  const REC = DATA.record ? { ...DATA.record, W: decode(DATA.record.weights) } : null;
  const label = (k) => neurons[k].label;
  // the equations' order of each neuron's incoming and outgoing edges: the network graph's
  const pred = DATA.pred || engine.incoming, succ = DATA.succ || engine.outgoing;

  const S = { example: 0, epoch: null, step: 0, selected: null, W: W0.slice(), X: X0.slice(), timer: null };
  let V = null;

  /* ------------------------------------------------------------------ computing */
  function compute() {
    const A = new Float64Array(rows * n), Z = new Float64Array(rows * n);
    const DA = new Float64Array(rows * n), DZ = new Float64Array(rows * n);
    const losses = new Float64Array(rows), dwSum = new Float64Array(m);
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      const y = Y0 ? Array.from(Y0.subarray(r * nOut, (r + 1) * nOut)) : null;
      losses[r] = engine.example(S.W, S.X.subarray(r * nIn, (r + 1) * nIn), y, A.subarray(o, o + n),
        Z.subarray(o, o + n), DA.subarray(o, o + n), DZ.subarray(o, o + n));
      if (y) for (let p = 0; p < m; p++) dwSum[p] += DA[o + dst[p]] * Z[o + src[p]];
    }
    V = { A, Z, DA, DZ, losses, L: losses.reduce((s, v) => s + v, 0) / rows, dw: dwSum.map((v) => v / rows) };
  }
  const at = (arr, k, r = S.example) => arr[r * n + k];
  const exampleDw = (p, r = S.example) => at(V.DA, dst[p], r) * at(V.Z, src[p], r);

  /* ------------------------------------------------------------------ the walk */
  const ITEMS = [];
  const firstForward = new Int32Array(n), firstBackward = new Int32Array(n).fill(1 << 30);
  const firstWeight = new Int32Array(m).fill(1 << 30);
  DATA.order.forEach((k) => { ITEMS.push({ phase: "forward", neuron: k }); firstForward[k] = ITEMS.length; });
  if (Y0) {
    const back = DATA.order.slice().reverse();
    back.forEach((k) => { ITEMS.push({ phase: "backward", neuron: k }); firstBackward[k] = ITEMS.length; });
    const rank = new Int32Array(n);
    back.forEach((k, t) => { rank[k] = t; });
    const edges = Array.from({ length: m }, (_, p) => p).sort((p, q) => rank[dst[p]] - rank[dst[q]] || p - q);
    edges.forEach((p) => { ITEMS.push({ phase: "weights", edge: p }); firstWeight[p] = ITEMS.length; });
  }
  const shownForward = (k) => S.step === 0 || firstForward[k] <= S.step;
  const shownBackward = (k) => Y0 !== null && (S.step === 0 || firstBackward[k] <= S.step);
  const shownWeight = (p) => Y0 !== null && (S.step === 0 || firstWeight[p] <= S.step);

  /* ------------------------------------------------------------------ equations (show/equations.py) */
  const isBias = (k) => neurons[k].kind === "bias";
  function weightedInput(k) {
    const terms = pred[k].map((p) => {
      const w = [`w_${label(src[p])},${label(k)}`, S.W[p]];
      return isBias(src[p]) ? [w] : [w, [`z_${label(src[p])}`, at(V.Z, src[p])]];
    });
    return { lhs: `a_${label(k)}`, terms };
  }
  function outputLine(k) {
    const kind = neurons[k].kind, z = pyFormat(at(V.Z, k), FMT), name = neurons[k].activation;
    if (kind === "input") return `z_${label(k)} = x_${label(k)} = ${z}`;
    if (kind === "bias") return `z_${label(k)} = 1 (bias)`;
    return `z_${label(k)} = ${name}(a_${label(k)}) = ${name}(${pyFormat(at(V.A, k), FMT)}) = ${z}`;
  }
  function neuronGradient(k) {
    const j = (p) => dst[p];
    const terms = succ[k].map((p) => [[`∂ℓ/∂a_${label(j(p))}`, at(V.DA, j(p))], [`w_${label(k)},${label(j(p))}`, S.W[p]]]);
    const downstream = fsum(terms.map(termValue));
    const dz = at(V.DZ, k), da = at(V.DA, k);
    const output = neurons[k].kind === "output";
    const ownA = output && DATA.loss.own_a;
    let note = terms.length ? "" : "it feeds no neuron";
    if (output) { terms.unshift([[`∂ℓ/∂z_${label(k)}[loss]`, dz - downstream]]); note = DATA.loss.notes.z; }
    const equations = [{ lhs: `∂ℓ/∂z_${label(k)}`, terms, note }];
    if (!neurons[k].activation) return equations;
    const slope = engine.slope(k, at(V.A, k), at(V.Z, k));
    const sigma = [`σ_${label(k)}′(a_${label(k)})`, slope];
    if (!ownA) {
      equations.push({ lhs: `∂ℓ/∂a_${label(k)}`, terms: [[[`∂ℓ/∂z_${label(k)}`, dz], sigma]] });
      return equations;
    }
    const flowsBack = terms.length > 1;
    const aTerms = flowsBack ? [[[`∂ℓ/∂z_${label(k)}[net]`, downstream], sigma]] : [];
    aTerms.push([[`∂ℓ/∂a_${label(k)}[loss]`, da - (flowsBack ? downstream * slope : 0)]]);
    equations.push({ lhs: `∂ℓ/∂a_${label(k)}`, terms: aTerms, note: DATA.loss.notes.a });
    return equations;
  }
  function weightGradient(p, batch) {
    const i = src[p], j = dst[p], name = `w_${label(i)},${label(j)}`;
    if (!batch) {
      const factors = [[`∂ℓ/∂a_${label(j)}`, at(V.DA, j)]];
      if (!isBias(i)) factors.push([`z_${label(i)}`, at(V.Z, i)]);
      return { lhs: `∂ℓ/∂${name}`, terms: [factors] };
    }
    const terms = [];
    for (let b = 0; b < rows; b++) {
      const t = [[`∂L/∂a_${label(j)}[${b}]`, at(V.DA, j, b) / rows]];
      if (!isBias(i)) t.push([`z_${label(i)}[${b}]`, at(V.Z, i, b)]);
      terms.push(t);
    }
    const symbolic = `Σ_b ∂L/∂a_${label(j)}[b]` + (isBias(i) ? "" : `·z_${label(i)}[b]`);
    return { lhs: `∂L/∂${name}`, terms, symbolic };
  }
  function neuronLines(k, forward = true, backward = true) {
    const lines = [];
    const kind = neurons[k].kind;
    if (forward && kind !== "input" && kind !== "bias") lines.push(formatEquation(weightedInput(k), FMT));
    if (forward) lines.push(outputLine(k));
    if (backward && Y0) lines.push(...neuronGradient(k).map((eq) => formatEquation(eq, FMT)));
    return lines;
  }
  function edgeLines(p) {
    const lines = [`w_${label(src[p])},${label(dst[p])} = ${pyFormat(S.W[p], FMT)}`];
    if (!Y0) return lines;
    lines.push(formatEquation(weightGradient(p, false), FMT));
    const link = neuronGradient(dst[p]);
    lines.push(formatEquation(link[link.length - 1], FMT));
    if (rows > 1) lines.push(formatEquation(weightGradient(p, true), FMT));
    return lines;
  }

  /* ------------------------------------------------------------------ finding neurons and edges */
  function neuronIndex(id) {
    let k = neurons.findIndex((neuron) => neuron.key === id);
    if (k < 0) k = neurons.findIndex((neuron) => neuron.label === String(id));
    if (k < 0) throw new Error(`no neuron ${JSON.stringify(id)} in this network`);
    return k;
  }
  function edgeIndex(i, j) {
    const a = neuronIndex(i), b = neuronIndex(j);
    for (let p = 0; p < m; p++) if (src[p] === a && dst[p] === b) return p;
    throw new Error(`no edge ${label(a)} → ${label(b)} in this network`);
  }
  function finite(value, what) {
    const x = Number(value);
    if (!Number.isFinite(x)) throw new Error(`${what} must be a finite number, got ${value}`);
    return x;
  }

  /* ------------------------------------------------------------------ the picture */
  const pic = DATA.picture, full = pic.view === "full";
  const svg = document.createElementNS(SVG, "svg");
  const el = (name, attrs, parent) => {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (parent) parent.appendChild(node);
    return node;
  };
  svg.setAttribute("width", pic.width);
  svg.setAttribute("height", pic.height);
  svg.setAttribute("viewBox", `0 0 ${pic.width} ${pic.height}`);
  const defs = el("defs", {}, svg);
  const marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7",
    markerHeight: "7", orient: "auto-start-reverse", markerUnits: "userSpaceOnUse" }, defs);
  el("path", { d: "M0 0 L10 5 L0 10 z", fill: "#666" }, marker);
  const edgeLayer = el("g", {}, svg), labelLayer = el("g", {}, svg), nodeLayer = el("g", {}, svg);
  const edgeShapes = new Array(m).fill(null), edgeLabels = new Array(m).fill(null);
  pic.edges.forEach((e, p) => {
    if (!e) return;
    const path = el("path", { d: e.d, class: "edge", "data-edge": p }, edgeLayer);
    if (full) path.setAttribute("marker-end", "url(#arrow)");
    const hit = el("path", { d: e.d, class: "hit", "data-edge": p }, edgeLayer);
    edgeShapes[p] = path;
    hook(hit, { edge: p });
    if (full) edgeLabels[p] = el("text", { x: e.lx, y: e.ly, class: "label", "text-anchor": "middle" }, labelLayer);
  });
  const nodeShapes = new Array(n).fill(null), nodeTexts = new Array(n).fill(null);
  pic.nodes.forEach((node, k) => {
    if (!node) return;
    const [fill, border] = COLORS[neurons[k].kind] || COLORS.hidden;
    const g = el("g", { class: "neuron", "data-neuron": k }, nodeLayer);
    if (full) {
      el("rect", { x: node.x - node.w / 2, y: node.y - node.h / 2, width: node.w, height: node.h, rx: 6,
        fill, stroke: border }, g);
      nodeTexts[k] = el("text", { x: node.x, y: node.y, "text-anchor": "middle" }, g);
    } else {
      el("circle", { cx: node.x, cy: node.y, r: node.w / 2, fill, stroke: border }, g);
      if (node.w >= 14) el("text", { x: node.x, y: node.y + 3, "text-anchor": "middle", "font-size": 7 }, g)
        .textContent = label(k).slice(0, 5);
    }
    nodeShapes[k] = g;
    hook(g, { neuron: k });
  });
  document.getElementById("picture").appendChild(svg);
  function fit() { // as wide as the room there is, up to 1.6 times the picture's own size
    const room = Math.max(document.getElementById("picture").clientWidth - 4, 200);
    const width = Math.min(room, pic.width * 1.6);
    svg.setAttribute("width", width.toFixed(0));
    svg.setAttribute("height", ((width * pic.height) / pic.width).toFixed(0));
  }
  fit();
  window.addEventListener("resize", fit);

  function signColor(fraction) {
    const end = fraction >= 0 ? POSITIVE : NEGATIVE, t = Math.min(Math.abs(fraction), 1);
    return "#" + ZERO.map((z, c) => Math.round(z + t * (end[c] - z)).toString(16).padStart(2, "0")).join("");
  }
  function edgeScales() { // full: the largest |w|; compact: the 0.99 quantile of |w| per target column
    const scale = new Float64Array(m).fill(1);
    if (full) {
      let top = 0;
      for (let p = 0; p < m; p++) if (pic.edges[p]) top = Math.max(top, Math.abs(S.W[p]));
      return scale.fill(top || 1);
    }
    const byColumn = {};
    pic.edges.forEach((e, p) => { if (e) (byColumn[e.c] = byColumn[e.c] || []).push(Math.abs(S.W[p])); });
    const q = {};
    for (const [c, values] of Object.entries(byColumn)) {
      values.sort((a, b) => a - b);
      q[c] = values[Math.floor(0.99 * (values.length - 1))] || 1;
    }
    pic.edges.forEach((e, p) => { if (e) scale[p] = q[e.c]; });
    return scale;
  }
  function setLines(text, lines, x, y) {
    while (text.firstChild) text.removeChild(text.firstChild);
    const top = y - ((lines.length - 1) * 13) / 2 + 4;
    lines.forEach((line, t) => {
      const span = el("tspan", { x, y: top + t * 13 }, text);
      span.textContent = line.text;
      if (line.hidden) span.setAttribute("class", "hidden-value");
    });
  }
  function drawPicture() {
    const scale = edgeScales();
    const item = S.step > 0 ? ITEMS[S.step - 1] : null;
    for (let p = 0; p < m; p++) {
      const path = edgeShapes[p];
      if (!path) continue;
      const f = Math.max(-1, Math.min(1, S.W[p] / scale[p]));
      path.setAttribute("stroke", signColor(f));
      path.setAttribute("stroke-width", full ? (0.6 + 3.4 * Math.abs(f)).toFixed(2) : (0.35 + 1.85 * Math.abs(f)).toFixed(2));
      if (!full) path.setAttribute("stroke-opacity", (0.3 + 0.7 * Math.abs(f)).toFixed(2));
      const current = item && ((item.edge === p) || (item.phase === "forward" && dst[p] === item.neuron) ||
        (item.phase === "backward" && src[p] === item.neuron));
      path.classList.toggle("current", !!current);
      path.classList.toggle("selected", !!(S.selected && S.selected.edge === p));
      if (edgeLabels[p]) {
        const lines = [{ text: pyFormat(S.W[p], FMT) }];
        if (Y0) lines.push(shownWeight(p) ? { text: `∂ℓ/∂w = ${pyFormat(exampleDw(p), FMT)}` } : { text: "∂ℓ/∂w = ?", hidden: true });
        setLines(edgeLabels[p], lines, pic.edges[p].lx, pic.edges[p].ly);
      }
    }
    for (let k = 0; k < n; k++) {
      const g = nodeShapes[k];
      if (!g) continue;
      g.classList.toggle("current", !!(item && item.neuron === k));
      g.classList.toggle("selected", !!(S.selected && S.selected.neuron === k));
      if (!nodeTexts[k]) continue;
      const kind = neurons[k].kind, lines = [{ text: label(k) }, { text: neurons[k].activation || kind }];
      const f = shownForward(k), b = shownBackward(k);
      const value = (arr, name, shown) => (shown ? { text: `${name} = ${pyFormat(at(arr, k), FMT)}` } : { text: `${name} = ?`, hidden: true });
      if (kind === "input") lines.push(value(V.Z, "x", f));
      else if (kind !== "bias") lines.push(value(V.A, "a", f), value(V.Z, "z", f));
      if (kind !== "bias" && Y0) lines.push(value(V.DA, "∂ℓ/∂a", b));
      const node = pic.nodes[k];
      setLines(nodeTexts[k], lines, node.x, node.y);
    }
  }

  /* ------------------------------------------------------------------ the panels */
  const $ = (id) => document.getElementById(id);
  function lines(box, texts, head) {
    box.textContent = "";
    if (head) { const h = document.createElement("div"); h.className = "eq head"; h.textContent = head; box.appendChild(h); }
    for (const text of texts) { const d = document.createElement("div"); d.className = "eq"; d.textContent = text; box.appendChild(d); }
  }
  function stepTexts(item) {
    if (item.phase === "forward") return [`forward: neuron ${label(item.neuron)}`, neuronLines(item.neuron, true, false)];
    if (item.phase === "backward") {
      const k = item.neuron, kind = neurons[k].kind;
      const head = kind === "output" ? `backward, step 1: output neuron ${label(k)}, its own error`
        : `backward, step 2: neuron ${label(k)}, the sum over the neurons it feeds (the multivariate chain rule)`;
      return [head, neuronLines(k, false, true)];
    }
    const p = item.edge;
    return [`step 3: the weight w_${label(src[p])},${label(dst[p])}`, [formatEquation(weightGradient(p, false), FMT)]];
  }
  function drawPanels() {
    $("example").value = S.example;
    $("example-count").textContent = `of ${rows}` + (DATA.given_rows > rows ? ` (the first ${rows} of ${DATA.given_rows})` : "");
    const x = Array.from(S.X.subarray(S.example * nIn, (S.example + 1) * nIn));
    const inputs = $("inputs");
    inputs.textContent = "";
    DATA.inputs.slice(0, 24).forEach((k, c) => {
      const row = document.createElement("label");
      row.className = "row";
      row.textContent = `x_${label(k)} `;
      const box = document.createElement("input");
      box.type = "number"; box.step = "any"; box.value = x[c]; box.dataset.input = k;
      box.addEventListener("change", () => api.setInput(neurons[k].key, box.value));
      row.appendChild(box);
      inputs.appendChild(row);
    });
    const y = Y0 ? Array.from(Y0.subarray(S.example * nOut, (S.example + 1) * nOut)) : null;
    $("targets").textContent = y ? DATA.outputs.map((k, c) => `y_${label(k)} = ${pyFormat(y[c], FMT)}`).join(", ") : "no targets (Y): forward pass only";
    $("loss").textContent = y ? `ℓ = ${pyFormat(V.losses[S.example], FMT)} (this example), L = ${pyFormat(V.L, FMT)} (mean over ${rows})` : "";
    const item = S.step > 0 ? ITEMS[S.step - 1] : null;
    $("step-count").textContent = `${S.step} / ${ITEMS.length}`;
    if (item) { const [head, texts] = stepTexts(item); lines($("step-eqs"), texts, head); }
    else lines($("step-eqs"), [], "not walking: every value shown (→ or n walks the passes)");
    drawSelected();
    if (REC) drawTraining();
  }
  function drawSelected() {
    const box = $("selected"), edit = $("edit");
    edit.hidden = true;
    if (!S.selected) { lines(box, [], "click a neuron or an edge (hover shows its equations)"); return; }
    if (S.selected.neuron !== undefined) {
      const k = S.selected.neuron;
      lines(box, neuronLines(k), `neuron ${label(k)} (${neurons[k].kind}${neurons[k].activation ? ", " + neurons[k].activation : ""})`);
      return;
    }
    const p = S.selected.edge;
    lines(box, edgeLines(p), `edge ${label(src[p])} → ${label(dst[p])}`);
    edit.hidden = false;
    $("weight").value = S.W[p];
  }

  /* ------------------------------------------------------------------ training */
  function drawTraining() {
    const index = S.epoch === null ? -1 : REC.epochs.indexOf(S.epoch);
    $("slider").value = index < 0 ? REC.epochs.length - 1 : index;
    $("epoch").textContent = S.epoch === null ? "the network's weights" : `epoch ${S.epoch}`;
    const curve = $("curve");
    const marker = curve.querySelector("#marker");
    if (marker && S.epoch !== null) { marker.setAttribute("x1", curveX(S.epoch)); marker.setAttribute("x2", curveX(S.epoch)); }
    if (marker) marker.setAttribute("visibility", S.epoch === null ? "hidden" : "visible");
  }
  const CURVE = { w: 400, h: 130, left: 44, bottom: 18 };
  let curveX = () => 0;
  function drawCurve() {
    const curve = $("curve");
    const series = [["training", REC.loss, "#1f78b4"], ["validation", REC.val_loss, "#ff7f00"]]
      .filter(([, values]) => values.some((v) => v !== null));
    const all = series.flatMap(([, values]) => values.filter((v) => v !== null));
    const epochs = Math.max(REC.loss.length - 1, REC.epochs[REC.epochs.length - 1], 1);
    const positive = all.every((v) => v > 0);
    const lo = Math.min(...all), hi = Math.max(...all);
    const logScale = positive && hi / lo > 20;
    const f = (v) => (logScale ? Math.log10(v) : v);
    const span = f(hi) - f(lo) || 1;
    curveX = (e) => CURVE.left + (e / epochs) * (CURVE.w - CURVE.left - 6);
    const cy = (v) => 6 + (1 - (f(v) - f(lo)) / span) * (CURVE.h - CURVE.bottom - 6);
    el("line", { x1: CURVE.left, y1: CURVE.h - CURVE.bottom, x2: CURVE.w - 6, y2: CURVE.h - CURVE.bottom, stroke: "#999" }, curve);
    el("line", { x1: CURVE.left, y1: 6, x2: CURVE.left, y2: CURVE.h - CURVE.bottom, stroke: "#999" }, curve);
    el("text", { x: 2, y: 12 }, curve).textContent = pyFormat(hi, ".3g");
    el("text", { x: 2, y: CURVE.h - CURVE.bottom }, curve).textContent = pyFormat(lo, ".3g");
    el("text", { x: CURVE.w - 6, y: CURVE.h - 4, "text-anchor": "end" }, curve).textContent = `epoch ${epochs}`;
    el("text", { x: CURVE.left, y: CURVE.h - 4 }, curve).textContent = "0" + (logScale ? "   (loss, log scale)" : "   (loss)");
    series.forEach(([name, values, color], s) => {
      const points = values.map((v, e) => (v === null ? null : `${curveX(e).toFixed(1)},${cy(v).toFixed(1)}`)).filter(Boolean);
      el("polyline", { points: points.join(" "), fill: "none", stroke: color, "stroke-width": 1.5, class: `curve-${name}` }, curve);
      el("text", { x: CURVE.w - 8, y: 14 + 12 * s, "text-anchor": "end", fill: color }, curve).textContent = name;
    });
    el("line", { id: "marker", x1: 0, x2: 0, y1: 4, y2: CURVE.h - CURVE.bottom, stroke: "#d7191c", "stroke-width": 1.5 }, curve);
    $("slider").max = REC.epochs.length - 1;
  }
  function play() {
    if (S.timer !== null) { clearInterval(S.timer); S.timer = null; $("play").textContent = "play"; return; }
    let index = S.epoch === null ? 0 : REC.epochs.indexOf(S.epoch) + 1;
    if (index >= REC.epochs.length) index = 0;
    $("play").textContent = "pause";
    const tick = () => {
      if (index >= REC.epochs.length) { play(); return; }
      api.setEpoch(REC.epochs[index]);
      index += 1;
    };
    tick();
    S.timer = setInterval(tick, Math.max(40, Math.min(400, 6000 / REC.epochs.length)));
  }

  /* ------------------------------------------------------------------ hover and click */
  const tooltip = () => $("tooltip");
  function hook(node, target) {
    node.addEventListener("mouseenter", (event) => {
      const tip = tooltip();
      lines(tip, target.edge !== undefined ? edgeLines(target.edge) : neuronLines(target.neuron));
      tip.hidden = false;
      move(event);
    });
    node.addEventListener("mousemove", move);
    node.addEventListener("mouseleave", () => { tooltip().hidden = true; });
    node.addEventListener("click", () => { S.selected = target; render(); });
  }
  function move(event) {
    const tip = tooltip();
    const left = Math.min(event.clientX + 14, window.innerWidth - 580), top = event.clientY + 14;
    tip.style.left = `${Math.max(0, left)}px`;
    tip.style.top = `${top}px`;
  }

  function render() { drawPicture(); drawPanels(); }

  /* ------------------------------------------------------------------ the API */
  function check(value, what, low, high) {
    if (!Number.isInteger(value) || value < low || value > high) throw new RangeError(`${what} must be a whole number from ${low} to ${high}, got ${value}`);
    return value;
  }
  const api = {
    setExample(i) { S.example = check(i, "example", 0, rows - 1); render(); },
    setEpoch(e) {
      if (e === null) { S.epoch = null; S.W = W0.slice(); compute(); render(); return; }
      if (!REC) throw new Error("the page holds no record of training: explore(net, X, Y, record=recorder)");
      const index = REC.epochs.indexOf(e);
      if (index < 0) throw new RangeError(`epoch ${e} is not recorded; recorded: ${REC.epochs.slice(0, 12).join(", ")}${REC.epochs.length > 12 ? " …" : ""}`);
      S.epoch = e;
      S.W = REC.W.slice(index * m, (index + 1) * m);
      compute(); render();
    },
    step(count = 1) {
      S.step = Math.max(0, Math.min(ITEMS.length, S.step + check(count, "step", -ITEMS.length, ITEMS.length)));
      render();
      return this.state().current;
    },
    reset() {
      if (S.timer !== null) play();
      Object.assign(S, { example: 0, epoch: null, step: 0, selected: null, W: W0.slice(), X: X0.slice() });
      compute(); render();
    },
    setWeight(i, j, w) { S.W[edgeIndex(i, j)] = finite(w, `w_${i},${j}`); compute(); render(); },
    setInput(k, x) {
      const index = neuronIndex(k), c = DATA.inputs.indexOf(index);
      if (c < 0) throw new Error(`neuron ${label(index)} is not an input neuron; the inputs are ${DATA.inputs.map(label).join(", ")}`);
      S.X[S.example * nIn + c] = finite(x, `x_${label(index)}`);
      compute(); render();
    },
    equations(target) {
      if (Array.isArray(target)) return edgeLines(edgeIndex(target[0], target[1]));
      return neuronLines(neuronIndex(target));
    },
    state() {
      const item = S.step > 0 ? ITEMS[S.step - 1] : null;
      const grads = Y0 !== null;
      const mean = (arr, k) => { let s = 0; for (let r = 0; r < rows; r++) s += arr[r * n + k]; return s / rows; };
      return {
        example: S.example, rows, epoch: S.epoch, step: S.step, steps: ITEMS.length,
        current: item && (item.edge !== undefined ? { phase: item.phase, edge: [neurons[src[item.edge]].key, neurons[dst[item.edge]].key] }
          : { phase: item.phase, neuron: neurons[item.neuron].key }),
        loss: grads ? V.losses[S.example] : null, batch_loss: grads ? V.L : null,
        x: Array.from(S.X.subarray(S.example * nIn, (S.example + 1) * nIn)),
        y: grads ? Array.from(Y0.subarray(S.example * nOut, (S.example + 1) * nOut)) : null,
        neurons: neurons.map((neuron, k) => ({ id: neuron.key, label: neuron.label, kind: neuron.kind,
          a: at(V.A, k), z: at(V.Z, k), da: grads ? at(V.DA, k) : null, dz: grads ? at(V.DZ, k) : null,
          mean_a: mean(V.A, k), mean_z: mean(V.Z, k) })),
        edges: Array.from({ length: m }, (_, p) => ({ source: neurons[src[p]].key, target: neurons[dst[p]].key,
          w: S.W[p], dw: grads ? exampleDw(p) : null, dw_batch: grads ? V.dw[p] : null })),
      };
    },
  };
  window.agExplorer = api;

  /* ------------------------------------------------------------------ controls */
  $("title").textContent = DATA.title;
  $("example").max = rows - 1;
  $("example").addEventListener("change", () => api.setExample(Math.max(0, Math.min(rows - 1, parseInt($("example").value, 10) || 0))));
  $("prev").addEventListener("click", () => api.setExample((S.example + rows - 1) % rows));
  $("next").addEventListener("click", () => api.setExample((S.example + 1) % rows));
  $("back").addEventListener("click", () => api.step(-1));
  $("forward").addEventListener("click", () => api.step(1));
  $("stop").addEventListener("click", () => api.step(-S.step || 0));
  $("reset").addEventListener("click", () => api.reset());
  $("weight").addEventListener("change", () => {
    const p = S.selected.edge;
    api.setWeight(neurons[src[p]].key, neurons[dst[p]].key, $("weight").value);
  });
  document.addEventListener("keydown", (event) => {
    if (event.target instanceof HTMLInputElement) return;
    if (event.key === "ArrowRight" || event.key === "n") api.step(1);
    else if (event.key === "ArrowLeft" || event.key === "p") api.step(-1);
    else if (event.key === "Escape") api.step(-S.step || 0);
    else if (event.key === " " && REC) { event.preventDefault(); play(); }
    else return;
  });
  if (REC) {
    $("training").hidden = false;
    drawCurve();
    $("slider").addEventListener("input", () => api.setEpoch(REC.epochs[parseInt($("slider").value, 10)]));
    $("play").addEventListener("click", play);
  }
  $("notes").textContent = (pic.notes || []).join(" · ") + (pic.layout === "library" && full ? " · laid out without Graphviz" : "");
  compute();
  render();
})();
