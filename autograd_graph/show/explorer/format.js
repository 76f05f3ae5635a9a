/* Numbers and equations as autograd_graph/show/equations.py writes them, so the page and ag.explain agree.
 *
 * pyFormat(v, ".4g") is Python's format(v, ".4g") (also "f" and "e"): digits correctly rounded, ties to
 * even, from the double's exact decimal expansion. An equation is {lhs, terms: [[[symbol, value], ...], ...],
 * symbolic, note}, formatted as Equation.format: "lhs = symbols = numbers = value".
 */
"use strict";

const MAX_TERMS_SHOWN = 8;

function exactDigits(x) { // x > 0, finite: its significant digits (up to 100, exact for a tie) and exponent
  const s = x.toPrecision(100);
  let mantissa = s;
  let e = 0;
  const cut = s.indexOf("e");
  if (cut >= 0) { mantissa = s.slice(0, cut); e = parseInt(s.slice(cut + 1), 10); }
  const dot = mantissa.indexOf(".");
  const whole = dot < 0 ? mantissa : mantissa.slice(0, dot);
  const all = whole + (dot < 0 ? "" : mantissa.slice(dot + 1));
  let lead = 0;
  while (lead < all.length && all[lead] === "0") lead++;
  return { digits: all.slice(lead).replace(/0+$/, ""), exponent: whole.length - 1 - lead + e };
}

function roundDigits(digits, exponent, keep) { // keep digits from the first one, round half to even
  if (keep < 0) return { digits: "", exponent };
  let head = digits.slice(0, keep).padEnd(keep, "0");
  const rest = digits.slice(keep);
  let up = false;
  if (rest.length && rest[0] > "5") up = true;
  else if (rest.length && rest[0] === "5") {
    up = /[1-9]/.test(rest.slice(1)) || (head.length > 0 && "13579".includes(head[head.length - 1]));
  }
  if (up) {
    const chars = head.split("");
    let i = chars.length - 1;
    while (i >= 0 && chars[i] === "9") { chars[i] = "0"; i--; }
    if (i >= 0) chars[i] = String.fromCharCode(chars[i].charCodeAt(0) + 1);
    else { chars.unshift("1"); exponent += 1; chars.length = Math.max(keep, 1) === keep ? keep : chars.length; }
    head = chars.join("");
    if (head.length > keep && keep > 0) head = head.slice(0, keep);
  }
  return { digits: head, exponent };
}

function fixed(digits, exponent, decimals) { // digits d0 d1 … with d0 at 10^exponent, written with decimals
  let whole, frac;
  if (exponent >= 0) {
    const padded = digits.padEnd(exponent + 1 + decimals, "0");
    whole = padded.slice(0, exponent + 1);
    frac = padded.slice(exponent + 1, exponent + 1 + decimals);
  } else {
    whole = "0";
    frac = ("0".repeat(-exponent - 1) + digits).padEnd(decimals, "0").slice(0, decimals);
  }
  whole = whole.replace(/^0+(?=\d)/, "");
  return decimals > 0 ? `${whole}.${frac}` : whole;
}

function scientific(digits, exponent, decimals) {
  const padded = digits.padEnd(decimals + 1, "0");
  const mantissa = decimals > 0 ? `${padded[0]}.${padded.slice(1, decimals + 1)}` : padded[0];
  const sign = exponent < 0 ? "-" : "+";
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

function pyFormat(v, spec) {
  const match = /^\.(\d+)([gfe])$/.exec(spec);
  if (!match) throw new Error(`number format ${spec} is not one of .Ng, .Nf, .Ne`);
  const precision = parseInt(match[1], 10);
  const type = match[2];
  if (Number.isNaN(v)) return "nan";
  const negative = v < 0 || Object.is(v, -0);
  const sign = negative ? "-" : "";
  const x = Math.abs(v);
  if (x === Infinity) return `${sign}inf`;
  if (x === 0) {
    if (type === "f") return sign + fixed("0", 0, precision);
    if (type === "e") return sign + scientific("0", 0, precision);
    return `${sign}0`;
  }
  const { digits, exponent } = exactDigits(x);
  if (type === "f") {
    const r = roundDigits(digits, exponent, exponent + 1 + precision);
    if (r.digits === "" || /^0*$/.test(r.digits)) return sign + fixed("0", 0, precision);
    return sign + fixed(r.digits, r.exponent, precision);
  }
  if (type === "e") {
    const r = roundDigits(digits, exponent, precision + 1);
    return sign + scientific(r.digits, r.exponent, precision);
  }
  const p = precision === 0 ? 1 : precision;
  const r = roundDigits(digits, exponent, p);
  let text;
  if (r.exponent >= -4 && r.exponent < p) text = fixed(r.digits, r.exponent, p - 1 - r.exponent);
  else text = scientific(r.digits, r.exponent, p - 1);
  // 'g' drops trailing zeros (and a trailing point), in the mantissa only
  const at = text.indexOf("e");
  let body = at < 0 ? text : text.slice(0, at);
  const tail = at < 0 ? "" : text.slice(at);
  if (body.includes(".")) body = body.replace(/0+$/, "").replace(/\.$/, "");
  return sign + body + tail;
}

/* ----------------------------------------------------------------- equations (show/equations.py) */
function termValue(term) { // math.prod of the factors
  return term.reduce((product, factor) => product * factor[1], 1);
}

function termNumbers(term, spec) {
  let texts = term.map((factor) => pyFormat(factor[1], spec));
  if (texts.length > 1) texts = texts.map((t) => (t.startsWith("-") ? `(${t})` : t));
  return texts.join("·");
}

function joinSum(texts) {
  let joined = texts[0];
  for (const text of texts.slice(1)) joined += text.startsWith("-") ? ` - ${text.slice(1)}` : ` + ${text}`;
  return joined;
}

function equationValue(eq) {
  return fsum(eq.terms.map(termValue));
}

function formatEquation(eq, spec, maxTerms = MAX_TERMS_SHOWN) {
  const note = eq.note ? `   (${eq.note})` : "";
  if (!eq.terms.length) return `${eq.lhs} = 0${note}`;
  const symbolic = eq.symbolic || eq.terms.map((t) => t.map((f) => f[0]).join("·")).join(" + ");
  let numbers = joinSum(eq.terms.slice(0, maxTerms).map((t) => termNumbers(t, spec)));
  if (eq.terms.length > maxTerms) numbers += ` + … (${eq.terms.length - maxTerms} more terms)`;
  const value = pyFormat(equationValue(eq), spec);
  const parts = [eq.lhs, symbolic].concat(numbers !== value ? [numbers] : [], [value]);
  return parts.join(" = ") + note;
}
