/* The explorer's engine: the reference engine's formulas (autograd_graph/engines/reference.py) in JavaScript.
 *
 * A network is the page's description: neurons (kind, activation) in net.neurons order, edges as src/dst
 * indices in net.edges order, a topological order. One example at a time:
 *   forward:  a_k = Σ_{i ∈ I_k} w_{i,k} z_i (in edge order, from 0), z_k = σ_k(a_k);
 *   backward: ∂ℓ/∂z_k = Σ_{j : k→j} ∂ℓ/∂a_j w_{k,j} (plus the loss's own term for an output),
 *             ∂ℓ/∂a_k = ∂ℓ/∂z_k σ_k′(a_k) (or the loss's own ∂ℓ/∂a, binary cross-entropy),
 *             ∂ℓ/∂w_{i,j} = ∂ℓ/∂a_j z_i.
 * The tables below are the entries of autograd_graph/activations.py and losses.py, form for form.
 */
"use strict";

const LEAKY_RELU_SLOPE = 0.01;
const PROBABILITY_FLOOR = 1e-15;

function expit(a) {
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

function logaddexp0(a) { // numpy's logaddexp(0, a)
  if (a === 0) return Math.LN2;
  return a > 0 ? a + Math.log1p(Math.exp(-a)) : Math.log1p(Math.exp(a));
}

// name -> [σ(a), σ′(a, z)]
const ACTIVATIONS = {
  identity: [(a) => a, (a, z) => 1],
  logistic: [expit, (a, z) => z * (1 - z)],
  tanh: [Math.tanh, (a, z) => 1 - z * z],
  relu: [(a) => Math.max(a, 0), (a, z) => (a > 0 ? 1 : 0)],
  leaky_relu: [(a) => (a > 0 ? a : LEAKY_RELU_SLOPE * a), (a, z) => (a > 0 ? 1 : LEAKY_RELU_SLOPE)],
  elu: [(a) => (a > 0 ? a : Math.expm1(Math.min(a, 0))), (a, z) => (a > 0 ? 1 : z + 1)],
  softplus: [logaddexp0, (a, z) => expit(a)],
  step: [(a) => (a >= 0 ? 1 : 0), (a, z) => 0],
};

// name -> {value(z, y, a) -> ℓ, dz(z, y, a) -> ∂ℓ/∂z (array), da (optional) -> ∂ℓ/∂a of the outputs}
const LOSSES = {
  squared_error: {
    value: (z, y) => z.reduce((s, zk, k) => s + (y[k] - zk) ** 2, 0),
    dz: (z, y) => z.map((zk, k) => 2 * (zk - y[k])),
  },
  mse: {
    value: (z, y) => z.reduce((s, zk, k) => s + (y[k] - zk) ** 2, 0) / z.length,
    dz: (z, y) => z.map((zk, k) => (2 * (zk - y[k])) / z.length),
  },
  binary_cross_entropy: {
    value: (z, y, a) => a.reduce((s, ak, k) => s + (logaddexp0(ak) - y[k] * ak), 0),
    dz: (z, y) => z.map((zk, k) => {
      const p = Math.min(Math.max(zk, PROBABILITY_FLOOR), 1 - PROBABILITY_FLOOR);
      return (p - y[k]) / (p * (1 - p));
    }),
    da: (z, y, a) => a.map((ak, k) => expit(ak) - y[k]),
  },
  softmax_cross_entropy: {
    value: (z, y) => {
      const top = Math.max(...z);
      const shifted = z.map((zk) => zk - top);
      const logTotal = Math.log(shifted.reduce((s, v) => s + Math.exp(v), 0));
      return shifted.reduce((s, v, k) => s + y[k] * (logTotal - v), 0);
    },
    dz: (z, y) => {
      const top = Math.max(...z);
      const e = z.map((zk) => Math.exp(zk - top));
      const scale = y.reduce((s, v) => s + v, 0) / e.reduce((s, v) => s + v, 0);
      return e.map((v, k) => v * scale - y[k]);
    },
  },
};

class Engine {
  /* net: {neurons: [{kind, activation}], src, dst, order, inputs, outputs}, loss: a name of LOSSES */
  constructor(net, loss) {
    const n = net.neurons.length;
    this.n = n;
    this.m = net.src.length;
    this.src = Int32Array.from(net.src);
    this.dst = Int32Array.from(net.dst);
    this.order = Int32Array.from(net.order);
    this.kinds = net.neurons.map((neuron) => neuron.kind);
    this.act = net.neurons.map((neuron) => (neuron.activation ? ACTIVATIONS[neuron.activation] : null));
    this.inputs = net.inputs;
    this.outputs = net.outputs;
    this.loss = LOSSES[loss];
    this.column = new Int32Array(n).fill(-1); // the output column of each output neuron
    net.outputs.forEach((k, c) => { this.column[k] = c; });
    this.inputColumn = new Int32Array(n).fill(-1);
    net.inputs.forEach((k, c) => { this.inputColumn[k] = c; });
    // incoming and outgoing edges of every neuron, in edge order (as the reference engine adds them)
    this.incoming = Array.from({ length: n }, () => []);
    this.outgoing = Array.from({ length: n }, () => []);
    for (let p = 0; p < this.m; p++) {
      this.incoming[this.dst[p]].push(p);
      this.outgoing[this.src[p]].push(p);
    }
  }

  /* One example: x (inputs in net.inputs order), y (targets in outputs order, or null: no backward pass).
   * Writes a, z (and da, dz) into the given Float64Arrays of n; returns ℓ (or NaN without y). */
  example(w, x, y, a, z, da, dz) {
    const { order, kinds, act, incoming, outgoing, src, dst } = this;
    for (let t = 0; t < order.length; t++) {
      const k = order[t];
      if (kinds[k] === "input") {
        a[k] = z[k] = x[this.inputColumn[k]];
      } else if (kinds[k] === "bias") {
        a[k] = z[k] = 1;
      } else {
        let s = 0;
        for (const p of incoming[k]) s += w[p] * z[src[p]];
        a[k] = s;
        z[k] = act[k][0](s);
      }
    }
    if (y === null) return NaN;
    const zOut = this.outputs.map((k) => z[k]);
    const aOut = this.outputs.map((k) => a[k]);
    const lossValue = this.loss.value(zOut, y, aOut);
    const dzOwn = this.loss.dz(zOut, y, aOut);
    const daOwn = this.loss.da ? this.loss.da(zOut, y, aOut) : null;
    for (let t = order.length - 1; t >= 0; t--) {
      const k = order[t];
      let downstream = 0;
      for (const p of outgoing[k]) downstream += da[dst[p]] * w[p];
      if (kinds[k] === "input" || kinds[k] === "bias") {
        dz[k] = da[k] = downstream;
        continue;
      }
      const own = this.column[k];
      const slope = act[k][1](a[k], z[k]);
      if (own < 0) {
        dz[k] = downstream;
        da[k] = dz[k] * slope;
      } else if (daOwn === null) {
        dz[k] = downstream + dzOwn[own];
        da[k] = dz[k] * slope;
      } else {
        dz[k] = downstream + dzOwn[own];
        da[k] = downstream * slope + daOwn[own];
      }
    }
    return lossValue;
  }

  slope(k, a, z) {
    return this.act[k] ? this.act[k][1](a, z) : null;
  }
}

/* Python's math.fsum: the correctly rounded sum (Shewchuk's partials, as CPython's mathmodule.c). */
function fsum(values) {
  const partials = [];
  let special = 0;
  for (let x of values) {
    if (!Number.isFinite(x)) { special += x; continue; }
    let i = 0;
    for (let j = 0; j < partials.length; j++) {
      let y = partials[j];
      if (Math.abs(x) < Math.abs(y)) { const t = x; x = y; y = t; }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    if (x !== 0) partials.push(x); // as CPython: a zero is no partial (fsum([-0.0]) is 0.0)
  }
  if (special !== 0 || Number.isNaN(special)) return special;
  let n = partials.length;
  let hi = 0;
  if (n > 0) {
    hi = partials[--n];
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = partials[--n];
      hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo !== 0) break;
    }
    if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
      const y = lo * 2;
      const x = hi + y;
      const yr = x - hi;
      if (y === yr) hi = x;
    }
  }
  return hi;
}
