/*
 * Health Cyber Portal search client: queries the browser index exported from Tantivy
 * (search/<lang>/index.js and its shards), offline, on file:// and over HTTP.
 *
 * A classic script with no dependencies. Shards are classic scripts too: each calls
 * window.__portalSearch.register(lang, id, data) (no fetch, no eval, no modules, which
 * Chromium blocks on file://). The query rules mirror src/search/query.rs rule for rule, and
 * scoring mirrors Tantivy's BM25 in f32 (Math.fround after every operation), so the top
 * results equal `portal search`; tests/js/parity.mjs checks it.
 *
 * Exposes globalThis.PortalSearch = { createEngine, analyze, decodeVarints, highlight,
 * excerpt } for tests, and wires the search box and the search page when a document exists.
 */
(function (global) {
  'use strict';

  // The header box and the search page may both include this script: run it once.
  if (global.PortalSearch) return;

  var f = Math.fround;
  var K1 = f(1.2);
  var B = f(0.75);
  var ONE_PLUS_K1 = f(1 + K1);
  var ONE_MINUS_B = f(1 - B);
  var FORMAT_VERSION = 3;
  var HASH_CHARS = 10;

  // Tantivy's field norm table: field norm id -> approximate token count (fieldnorm/code.rs).
  var FIELDNORM_TABLE = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 42, 44, 46, 48, 50, 52, 54, 56, 60,
    64, 68, 72, 76, 80, 84, 88, 96, 104, 112, 120, 128, 136, 144, 152, 168, 184, 200, 216, 232, 248,
    264, 280, 312, 344, 376, 408, 440, 472, 504, 536, 600, 664, 728, 792, 856, 920, 984, 1048, 1176,
    1304, 1432, 1560, 1688, 1816, 1944, 2072, 2328, 2584, 2840, 3096, 3352, 3608, 3864, 4120, 4632,
    5144, 5656, 6168, 6680, 7192, 7704, 8216, 9240, 10264, 11288, 12312, 13336, 14360, 15384, 16408,
    18456, 20504, 22552, 24600, 26648, 28696, 30744, 32792, 36888, 40984, 45080, 49176, 53272,
    57368, 61464, 65560, 73752, 81944, 90136, 98328, 106520, 114712, 122904, 131096, 147480, 163864,
    180248, 196632, 213016, 229400, 245784, 262168, 294936, 327704, 360472, 393240, 426008, 458776,
    491544, 524312, 589848, 655384, 720920, 786456, 851992, 917528, 983064, 1048600, 1179672,
    1310744, 1441816, 1572888, 1703960, 1835032, 1966104, 2097176, 2359320, 2621464, 2883608,
    3145752, 3407896, 3670040, 3932184, 4194328, 4718616, 5242904, 5767192, 6291480, 6815768,
    7340056, 7864344, 8388632, 9437208, 10485784, 11534360, 12582936, 13631512, 14680088, 15728664,
    16777240, 18874392, 20971544, 23068696, 25165848, 27263000, 29360152, 31457304, 33554456,
    37748760, 41943064, 46137368, 50331672, 54525976, 58720280, 62914584, 67108888, 75497496,
    83886104, 92274712, 100663320, 109051928, 117440536, 125829144, 134217752, 150994968, 167772184,
    184549400, 201326616, 218103832, 234881048, 251658264, 268435480, 301989912, 335544344,
    369098776, 402653208, 436207640, 469762072, 503316504, 536870936, 603979800, 671088664,
    738197528, 805306392, 872415256, 939524120, 1006632984, 1073741848, 1207959576, 1342177304,
    1476395032, 1610612760, 1744830488, 1879048216, 2013265944
  ];

  /* ---------- analysis: the first half of the Tantivy chain ---------- */

  var ALNUM = /[\p{Alphabetic}\p{N}]/u;

  // The same ranges as is_cjk_char in src/search/analyzer.rs.
  function isCjk(cp) {
    return (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3005 && cp <= 0x3007) ||
      (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3130 && cp <= 0x318F) ||
      (cp >= 0x31F0 && cp <= 0x31FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
      (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA960 && cp <= 0xA97F) ||
      (cp >= 0xAC00 && cp <= 0xD7FF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0xFF66 && cp <= 0xFF9F) || (cp >= 0x20000 && cp <= 0x3FFFF);
  }

  function utf8Length(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xD800 && c <= 0xDBFF) { n += 4; i++; }
      else n += 3;
    }
    return n;
  }

  // Tantivy's LowerCaser: character by character, without the final-sigma rule (the only
  // context-dependent rule of String.prototype.toLowerCase, so other text takes the fast way).
  function lower(s) {
    if (s.indexOf('\u03A3') < 0) return s.toLowerCase();
    var out = '';
    for (var ch of s) out += ch.toLowerCase();
    return out;
  }

  // 0 separator, 1 letter or digit, 2 Han, kana or Hangul (in mode "cjk").
  function classOf(ch, cp, mode) {
    if (cp < 0x80) return (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) ? 1 : 0;
    if (!ALNUM.test(ch)) return 0;
    return mode === 'cjk' && isCjk(cp) ? 2 : 1;
  }

  /**
   * Surface forms of `text`: tokens up to lowercasing, with UTF-16 offsets.
   * mode "simple": runs of letters and digits (Tantivy's SimpleTokenizer);
   * mode "cjk": Han, kana and Hangul runs as overlapping bigrams (a lone character stays),
   * other runs of letters and digits whole. Tokens of 40 UTF-8 bytes or more are dropped.
   */
  function analyze(text, mode) {
    // Start offset and class of every character, in typed arrays (this runs on every excerpt).
    var starts = new Uint32Array(text.length + 1);
    var classes = new Uint8Array(text.length);
    var n = 0;
    for (var i = 0; i < text.length; n++) {
      var cp = text.codePointAt(i);
      var len = cp > 0xFFFF ? 2 : 1;
      starts[n] = i;
      classes[n] = classOf(len === 1 ? text[i] : text.slice(i, i + 2), cp, mode);
      i += len;
    }
    starts[n] = text.length;
    var out = [];
    var push = function (from, to, cjk) {
      var raw = text.slice(from, to);
      if (utf8Length(raw) < 40) out.push({ text: lower(raw), from: from, to: to, cjk: cjk });
    };
    var k = 0;
    while (k < n) {
      var cls = classes[k];
      var j = k + 1;
      while (j < n && classes[j] === cls) j++;
      if (cls === 1) push(starts[k], starts[j], false);
      else if (cls === 2) {
        if (j - k === 1) push(starts[k], starts[j], true);
        else for (var m = k; m < j - 1; m++) push(starts[m], starts[m + 2], true);
      }
      k = j;
    }
    return out;
  }

  /* ---------- data decoding ---------- */

  var VARINT_VALUE = (function () {
    var alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    var table = {};
    for (var i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
    return table;
  })();

  /** Decodes base-64 varints (5 payload bits per character, low bits first). */
  function decodeVarints(s) {
    var out = [];
    var value = 0;
    var shift = 1;
    for (var i = 0; i < s.length; i++) {
      var v = VARINT_VALUE[s.charCodeAt(i)];
      value += (v & 31) * shift;
      if (v & 32) { shift *= 32; } else { out.push(value); value = 0; shift = 1; }
    }
    return out;
  }

  function float32FromBits(bits) {
    var view = new DataView(new ArrayBuffer(4));
    view.setUint32(0, bits);
    return view.getFloat32(0);
  }

  // A manifest shard table {first: varint deltas, hashes: end to end} as [[first, hash], ...]
  // (see shard_table in src/search/export.rs).
  function shardTable(table) {
    var deltas = decodeVarints(table.first);
    var rows = [];
    var first = 0;
    for (var i = 0; i < deltas.length; i++) {
      first += deltas[i];
      rows.push([first, table.hashes.substr(i * HASH_CHARS, HASH_CHARS)]);
    }
    return rows;
  }

  // Last index i with key(items[i]) <= target (0 when none): the shard that may hold target.
  function shardIndex(items, target) {
    var lo = 0, hi = items.length - 1, found = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (items[mid][0] <= target) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }

  // Metadata rows: [url, section, text, title, kind, audience], or [#fragment, section, text]
  // for another section of the previous row's page (see meta_rows in src/search/export.rs).
  function expandMeta(data) {
    var docs = [];
    var prev = null;
    data.docs.forEach(function (r) {
      var d = r.length === 3 && prev
        ? { url: prev.url.split('#')[0] + r[0], section: r[1], text: r[2], title: prev.title, kind: prev.kind, audience: prev.audience }
        : { url: r[0], section: r[1], text: r[2], title: r[3], kind: r[4], audience: r[5] };
      docs.push(d);
      prev = d;
    });
    return { first: data.first, docs: docs };
  }

  /* ---------- registry: shards announce themselves here ---------- */

  var registry = global.__portalSearch && global.__portalSearch.registry || new Map();
  function slot(lang, id) {
    var key = lang + '\n' + id;
    var s = registry.get(key);
    if (!s) {
      s = {};
      s.promise = new Promise(function (resolve, reject) { s.resolve = resolve; s.reject = reject; });
      registry.set(key, s);
    }
    return s;
  }
  global.__portalSearch = {
    registry: registry,
    register: function (lang, id, data) {
      var s = slot(String(lang), String(id));
      s.done = true;
      s.resolve(data);
    }
  };

  /* ---------- engine ---------- */

  /**
   * A search engine over the browser index of one language.
   * requestScript(path) must cause the classic script at `path` (relative to the site root)
   * to run once; it may return a Promise that rejects when loading fails.
   */
  function createEngine(lang, requestScript) {
    var requested = new Map();
    var manifest = null;
    var dictShards = new Map();
    var postingShards = new Map();
    var metaBatches = new Map();
    var filterDocs = new Map();
    var statsCache = null;
    var loaded = [];

    function load(id, path) {
      if (requested.has(id)) return requested.get(id);
      var s = slot(lang, id);
      loaded.push(path);
      // A script that ran without registering (a stale or foreign file) must not hang the query.
      var p = Promise.resolve(requestScript(path)).then(function () {
        return s.done ? s.promise : Promise.reject(new Error(path + ' did not register'));
      });
      requested.set(id, p);
      return p;
    }
    function file(prefix, hash) { return 'search/' + lang + '/' + prefix + '-' + hash + '.js'; }

    function ready() {
      if (manifest) return Promise.resolve(manifest);
      return load('manifest', 'search/' + lang + '/index.js').then(function (m) {
        if (!m || m.version !== FORMAT_VERSION) throw new Error('search index format mismatch');
        // A copy: the registered manifest is shared by every engine of the page.
        manifest = Object.assign({}, m, { postings: shardTable(m.postings), meta: shardTable(m.meta) });
        return manifest;
      });
    }

    function dictShard(i) {
      if (dictShards.has(i)) return Promise.resolve(dictShards.get(i));
      return load('d' + i, file('d', manifest.dict[i][1])).then(function (rows) {
        var map = new Map();
        for (var r = 0; r < rows.length; r++) map.set(rows[r][0], rows[r]);
        var shard = { rows: rows, map: map };
        dictShards.set(i, shard);
        return shard;
      });
    }

    function postingShard(i) {
      if (postingShards.has(i)) return Promise.resolve(postingShards.get(i));
      return load('p' + i, file('p', manifest.postings[i][1])).then(function (data) {
        postingShards.set(i, data);
        return data;
      });
    }

    function metaBatch(i) {
      if (metaBatches.has(i)) return Promise.resolve(metaBatches.get(i));
      return load('m' + i, file('m', manifest.meta[i][1])).then(function (data) {
        var batch = expandMeta(data);
        metaBatches.set(i, batch);
        return batch;
      });
    }

    function filterSet(name, value) {
      var key = name + ':' + value;
      if (filterDocs.has(key)) return Promise.resolve(filterDocs.get(key));
      var entry = (manifest.filters[name] || []).find(function (e) { return e[0] === value; });
      if (!entry) { filterDocs.set(key, new Set()); return Promise.resolve(filterDocs.get(key)); }
      return load('f:' + key, file('f', entry[2])).then(function (encoded) {
        var deltas = decodeVarints(encoded);
        var set = new Set();
        var doc = 0;
        for (var i = 0; i < deltas.length; i++) { doc = i === 0 ? deltas[0] : doc + deltas[i]; set.add(doc); }
        filterDocs.set(key, set);
        return set;
      });
    }

    // Dictionary rows of keys starting with `prefix` (contiguous in UTF-16 order).
    function prefixRows(prefix) {
      var rows = [];
      function scan(i) {
        return dictShard(i).then(function (shard) {
          for (var r = 0; r < shard.rows.length; r++) {
            var key = shard.rows[r][0];
            if (key.startsWith(prefix)) rows.push(shard.rows[r]);
          }
          var next = i + 1;
          if (next < manifest.dict.length && manifest.dict[next][0].startsWith(prefix)) return scan(next);
          return rows;
        });
      }
      return scan(shardIndex(manifest.dict, prefix));
    }

    // The lexicon row of `key` from the loaded shards (undefined when absent).
    function rowOf(key) {
      var shard = dictShards.get(shardIndex(manifest.dict, key));
      return shard && shard.map.get(key);
    }
    function lookup(key) {
      return dictShard(shardIndex(manifest.dict, key)).then(function () { return rowOf(key); });
    }
    // Loads the lexicon shards holding every key from `from` to `to` (UTF-16 order).
    function loadRange(from, to) {
      var waits = [];
      for (var i = shardIndex(manifest.dict, from); i <= shardIndex(manifest.dict, to); i++) waits.push(dictShard(i));
      return Promise.all(waits);
    }
    function stride() { return manifest.plan.stems ? 3 : 2; }
    // Term numbers of a row (ascending: term order).
    function rowTerms(row) {
      var out = [];
      for (var k = 1; k < row.length; k += stride()) out.push(row[k]);
      return out;
    }
    function rowRank(row, term) {
      for (var k = 1; k < row.length; k += stride()) if (row[k] === term) return row[k + 1];
      return 0;
    }

    // Typo blocks: the keys a typo may be corrected to, by first character (t-*.js).
    var typoBlocks = new Map();
    function typoRows(first) {
      var table = manifest.typo;
      for (var i = 0; i < table.length; i++) {
        if (Array.from(table[i][0]).indexOf(first) < 0) continue;
        if (typoBlocks.has(i)) return Promise.resolve(typoBlocks.get(i));
        return load('t' + i, file('t', table[i][1])).then(function (rows) {
          // Code points once per key: every typo query of this block compares with them.
          rows.forEach(function (row) { row.cps = Array.from(row[0]); });
          typoBlocks.set(i, rows);
          return rows;
        });
      }
      return Promise.resolve([]);
    }

    /** Optimal string alignment distance of two code point arrays, or -1 past `max` (plan.rs). */
    // Three rows reused across calls: a typo query compares with a whole block of keys.
    var osaRows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];
    function typoDistance(a, b, max) {
      if (Math.abs(a.length - b.length) > max) return -1;
      if (b.length + 1 > osaRows[0].length) {
        osaRows = [new Int32Array(b.length + 1), new Int32Array(b.length + 1), new Int32Array(b.length + 1)];
      }
      var rows = osaRows;
      for (var j = 0; j <= b.length; j++) rows[0][j] = j;
      for (var i = 1; i <= a.length; i++) {
        var cur = rows[i % 3], prev = rows[(i + 2) % 3], prev2 = rows[(i + 1) % 3];
        cur[0] = i;
        var best = i;
        var ai = a[i - 1];
        for (j = 1; j <= b.length; j++) {
          var v = prev[j - 1] + (ai === b[j - 1] ? 0 : 1);
          if (prev[j] + 1 < v) v = prev[j] + 1;
          if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
          if (i > 1 && j > 1 && ai === b[j - 2] && a[i - 2] === b[j - 1] && prev2[j - 2] + 1 < v) v = prev2[j - 2] + 1;
          cur[j] = v;
          if (v < best) best = v;
        }
        if (best > max) return -1;
      }
      var d = rows[a.length % 3][b.length];
      return d <= max ? d : -1;
    }

    function isTypoKey(key) {
      var cps = Array.from(key);
      return cps.length >= manifest.plan.typoMinKey && !cps.some(function (c) { return /\p{N}/u.test(c) || isCjk(c.codePointAt(0)); });
    }

    // Typo corrections of `word`: [[term, distance]] (plan.rs, typo_terms).
    function typoTerms(word) {
      var p = manifest.plan;
      var chars = Array.from(word);
      if (chars.length < p.typoMin || chars.some(function (c) { return /\p{N}/u.test(c); })) return Promise.resolve([]);
      var max = chars.length >= p.typoLong ? 2 : 1;
      return typoRows(chars[0]).then(function (rows) {
        var nearest = new Map();
        var ranks = new Map();
        rows.forEach(function (row) {
          // A block holds only keys a typo may become (plan.rs, is_typo_key).
          if (row.cps[0] !== chars[0] || Math.abs(row.cps.length - chars.length) > max) return;
          var d = typoDistance(chars, row.cps, max);
          if (d <= 0) return;
          for (var k = 1; k < row.length; k += 2) {
            var old = nearest.get(row[k]);
            nearest.set(row[k], old === undefined ? d : Math.min(old, d));
            ranks.set(row[k], row[k + 1]);
          }
        });
        var ranked = Array.from(nearest.entries());
        ranked.sort(function (x, y) { return x[1] - y[1] || ranks.get(y[0]) - ranks.get(x[0]) || x[0] - y[0]; });
        return ranked.slice(0, p.typoMax);
      });
    }

    function commonPrefixChars(a, b) {
      var x = Array.from(a), y = Array.from(b), n = 0;
      while (n < x.length && n < y.length && x[n] === y[n]) n++;
      return n;
    }

    // The term an unseen word form stands for, or undefined (plan.rs, unseen_form).
    function unseenForm(word) {
      var chars = Array.from(word);
      var sharedMin = Math.max(manifest.plan.stemMin, Math.ceil(3 * chars.length / 5));
      if (chars.length <= sharedMin) return Promise.resolve(undefined);
      return prefixRows(chars.slice(0, sharedMin).join('')).then(function (rows) {
        var best = null;
        rows.forEach(function (row) {
          var shared = commonPrefixChars(row[0], word);
          for (var k = 1; k < row.length; k += 3) {
            var stem = row[k + 2];
            if (stem < manifest.plan.stemMin || stem > shared) continue;
            if (!best || shared > best[0] || (shared === best[0] && (stem > best[1] || (stem === best[1] && row[k] < best[2])))) {
              best = [shared, stem, row[k]];
            }
          }
        });
        return best ? best[2] : undefined;
      });
    }

    // The keys a compound is made of, or null (plan.rs, compound_parts).
    function compoundParts(word) {
      var p = manifest.plan;
      function splitFrom(w, parts, found) {
        var cps = Array.from(w);
        if (cps.length < p.partMin) return Promise.resolve(false);
        return loadRange(cps.slice(0, p.partMin).join(''), w).then(function () {
          var ends = [];
          for (var e = cps.length; e >= p.partMin; e--) ends.push(e);
          function tryEnd(n) {
            if (n >= ends.length) return Promise.resolve(false);
            var part = cps.slice(0, ends[n]).join('');
            if (!rowOf(part)) return tryEnd(n + 1);
            var rest = cps.slice(ends[n]).join('');
            if (rest === '') {
              if (parts === 1) { found.push(part); return Promise.resolve(true); }
              return tryEnd(n + 1);
            }
            if (parts === 1) return tryEnd(n + 1);
            var linkers = [''].concat(p.linkers);
            function tryLinker(l) {
              if (l >= linkers.length) return tryEnd(n + 1);
              if (!rest.startsWith(linkers[l]) || rest.length === linkers[l].length) return tryLinker(l + 1);
              found.push(part);
              return splitFrom(rest.slice(linkers[l].length), parts - 1, found).then(function (ok) {
                if (ok) return true;
                found.pop();
                return tryLinker(l + 1);
              });
            }
            return tryLinker(0);
          }
          return tryEnd(0);
        });
      }
      function tryParts(parts) {
        if (parts > p.partMax) return Promise.resolve(null);
        var found = [];
        return splitFrom(word, parts, found).then(function (ok) { return ok ? found : tryParts(parts + 1); });
      }
      return tryParts(2);
    }

    // The query with CJK stop words cut out (plan.rs, strip_cjk_stop_words).
    function stripCjkStopWords(query) {
      var words = manifest.plan.cjkStop;
      var out = '';
      var i = 0;
      while (i < query.length) {
        var word = null;
        for (var w = 0; w < words.length; w++) if (query.startsWith(words[w], i)) { word = words[w]; break; }
        if (word) { out += ' '; i += word.length; } else {
          var ch = String.fromCodePoint(query.codePointAt(i));
          out += ch;
          i += ch.length;
        }
      }
      return out !== query && analyze(out, manifest.tokenizer).length ? out : query;
    }

    /** The weighted terms of a query: [{term, weight}] (the rules of src/search/plan.rs). */
    function plan(query) {
      return ready().then(function (m) {
        if (!m.dict.length) return [];
        var p = m.plan;
        if (p.cjkStop) query = stripCjkStopWords(query);
        var surfaces = analyze(query, m.tokenizer);
        var seen = new Set();
        var planned = [];
        function add(term, weight) {
          if (!seen.has(term)) { seen.add(term); planned.push({ term: term, weight: f(weight) }); }
        }
        var last = surfaces[surfaces.length - 1];
        var isPrefix = false;
        if (last && last.to === query.length) {
          var chars = Array.from(last.text).length;
          isPrefix = last.cjk ? chars === 1 : chars >= p.prefixMin;
        }
        var joins = [];
        var joinWeights = [];
        for (var i = 0; i < surfaces.length; i++) {
          for (var len = 2; len <= Math.min(p.join, surfaces.length - i); len++) {
            var words = surfaces.slice(i, i + len);
            if (words.some(function (s) { return s.cjk; })) continue;
            joins.push(words.map(function (s) { return s.text; }).join(''));
            joinWeights.push(len);
          }
        }
        var exact = [];
        return Promise.all(surfaces.map(function (s) { return lookup(s.text); })).then(function (rows) {
          exact = rows;
          rows.forEach(function (row) { if (row) rowTerms(row).forEach(function (t) { add(t, 1); }); });
          return Promise.all(joins.map(lookup));
        }).then(function (rows) {
          rows.forEach(function (row, j) { if (row) rowTerms(row).forEach(function (t) { add(t, joinWeights[j]); }); });
          return isPrefix ? prefixRows(last.text) : [];
        }).then(function (expansionRows) {
          var forgivable = function (i) {
            return !surfaces[i].cjk && !(i === surfaces.length - 1 && isPrefix && expansionRows.length);
          };
          var texts = surfaces.map(function (s) { return s.text; });
          m.synonyms.phrases.forEach(function (phrase) {
            var words = phrase[0].split(' ');
            for (var i = 0; i + words.length <= texts.length; i++) {
              var all = true;
              for (var k = 0; k < words.length; k++) if (texts[i + k] !== words[k]) { all = false; break; }
              if (all) { m.synonyms.groups[phrase[1]].forEach(function (t) { add(t, p.synonymBoost); }); break; }
            }
          });
          // One-word synonyms misspelt (plan.rs, synonym_typos).
          surfaces.forEach(function (s, i) {
            if (!forgivable(i) || exact[i]) return;
            var chars = Array.from(s.text);
            if (chars.length < p.typoMin || chars.some(function (c) { return /\p{N}/u.test(c); })) return;
            var max = chars.length >= p.typoLong ? 2 : 1;
            m.synonyms.phrases.forEach(function (phrase) {
              var one = phrase[0];
              if (one.indexOf(' ') >= 0 || !isTypoKey(one) || !one.startsWith(chars[0])) return;
              var d = typoDistance(chars, Array.from(one), max);
              if (d > 0) m.synonyms.groups[phrase[1]].forEach(function (t) { add(t, f(p.synonymBoost * p.typoBoost[d - 1])); });
            });
          });
          // Forgiving rules, word by word in order (each may load shards).
          var chain = Promise.resolve();
          surfaces.forEach(function (s, i) {
            if (!forgivable(i)) return;
            chain = chain.then(function () {
              var row = exact[i];
              var typo = function () {
                return typoTerms(s.text).then(function (found) {
                  found.forEach(function (e) { add(e[0], p.typoBoost[e[1] - 1]); });
                });
              };
              var few = false;
              if (row) {
                var hits = rowTerms(row).reduce(function (sum, t) { return sum + rowRank(row, t); }, 0);
                if (hits > p.fewHits) return undefined;
                few = true;
              }
              var compound = p.linkers ? compoundParts(s.text) : Promise.resolve(null);
              return compound.then(function (parts) {
                var waitParts = parts ? Promise.all(parts.map(lookup)).then(function (partRows) {
                  partRows.forEach(function (r) { if (r) rowTerms(r).forEach(function (t) { add(t, 1); }); });
                }) : Promise.resolve();
                return waitParts.then(function () {
                  if (parts && !few) return undefined;
                  var unseen = p.stems && !few ? unseenForm(s.text) : Promise.resolve(undefined);
                  return unseen.then(function (term) {
                    if (term !== undefined) add(term, 1); else return typo();
                  });
                });
              });
            });
          });
          return chain.then(function () { return expansionRows; });
        }).then(function (expansionRows) {
          var candidates = new Map();
          expansionRows.forEach(function (row) {
            for (var k = 1; k < row.length; k += stride()) {
              if (!seen.has(row[k])) candidates.set(row[k], row[k + 1]);
            }
          });
          var expansions = Array.from(candidates.entries());
          expansions.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
          expansions.slice(0, p.prefixMax).forEach(function (e) { add(e[0], p.prefixBoost); });
          return planned;
        });
      });
    }

    function stats() {
      if (statsCache) return statsCache;
      var n = manifest.docs;
      var fix = new Map(manifest.idfFix.map(function (e) { return [e[0], float32FromBits(e[1])]; }));
      var idfCache = new Map();
      var fields = manifest.fields.map(function (field) {
        var avg = f(f(field[2]) / f(n));
        var norms = new Float64Array(256);
        for (var id = 0; id < 256; id++) {
          norms[id] = f(K1 * f(ONE_MINUS_B + f(f(B * f(FIELDNORM_TABLE[id])) / avg)));
        }
        return { name: field[0], boost: f(field[1]), norms: norms };
      });
      var idf = function (df) {
        if (fix.has(df)) return fix.get(df);
        var v = idfCache.get(df);
        if (v === undefined) {
          var x = f(f(f(n - df) + 0.5) / f(f(df) + 0.5));
          v = f(Math.log(f(1 + x)));
          idfCache.set(df, v);
        }
        return v;
      };
      statsCache = { fields: fields, idf: idf };
      return statsCache;
    }

    function postingOf(term) {
      var i = shardIndex(manifest.postings, term);
      var shard = postingShards.get(i);
      return shard.terms[term - shard.first];
    }

    // A term's postings in one field, decoded once: documents, and per document the BM25
    // factor tf / (tf + norm) (f32), which only the idf and the boost multiply at query time.
    var decoded = new Map();
    function fieldPostings(term, fi) {
      var key = term * 4 + fi;
      if (decoded.has(key)) return decoded.get(key);
      var encoded = postingOf(term)[1 + fi];
      var list = null;
      if (encoded) {
        var values = decodeVarints(encoded);
        var norms = stats().fields[fi].norms;
        var docs = new Uint32Array(values.length / 3);
        var ratios = new Float32Array(docs.length);
        var doc = 0;
        for (var k = 0, j = 0; k < values.length; k += 3, j++) {
          doc = k === 0 ? values[0] : doc + values[k];
          var tf = values[k + 1] + 1;
          docs[j] = doc;
          ratios[j] = f(tf / f(tf + norms[values[k + 2]]));
        }
        list = { docs: docs, ratios: ratios };
      }
      decoded.set(key, list);
      return list;
    }

    // Per-document score sums in a dense array (documents are numbered 0..docs-1), in the
    // order documents were first scored, as Tantivy's f32 additions need.
    function accumulator() {
      var sums = new Float32Array(manifest.docs);
      var seen = new Uint8Array(manifest.docs);
      var order = [];
      return {
        add: function (doc, score) {
          if (seen[doc]) { sums[doc] = f(sums[doc] + score); } else { seen[doc] = 1; sums[doc] = score; order.push(doc); }
        },
        forEach: function (fn) { for (var i = 0; i < order.length; i++) fn(order[i], sums[order[i]]); }
      };
    }

    /**
     * Runs a query. opts: { limit (10), kind, audience, pages (one hit per page, its other
     * matching sections in hit.more) }.
     * Resolves to { total (matching sections), hits: [{ doc, score, url, title, section, text,
     * kind, audience, excerpt: [{ text, mark }], more? }], files: paths loaded so far }.
     */
    function search(query, opts) {
      opts = opts || {};
      var limit = opts.limit === undefined ? 10 : opts.limit;
      var planned;
      return plan(query).then(function (p) {
        planned = p;
        var shards = new Set(planned.map(function (t) { return shardIndex(manifest.postings, t.term); }));
        var waits = Array.from(shards).map(postingShard);
        var filters = [];
        if (opts.kind) filters.push(filterSet('kind', opts.kind));
        if (opts.audience) filters.push(filterSet('audience', opts.audience));
        return Promise.all([Promise.all(waits), Promise.all(filters)]);
      }).then(function (loadedParts) {
        var filters = loadedParts[1];
        var st = stats();
        var acc = accumulator();
        // Clause order = Tantivy's: terms in plan order, fields in manifest order; a document's
        // score is the f32 sum of its clause scores in that order.
        planned.forEach(function (p) {
          st.fields.forEach(function (field, fi) {
            var list = fieldPostings(p.term, fi);
            if (!list) return;
            var weight = f(st.idf(list.docs.length) * ONE_PLUS_K1);
            var boost = f(field.boost * p.weight);
            if (boost !== 1) weight = f(weight * boost);
            var docs = list.docs, ratios = list.ratios;
            for (var k = 0; k < docs.length; k++) acc.add(docs[k], f(weight * ratios[k]));
          });
        });
        var pages = !!opts.pages;
        // One result per page: enough sections to find `limit` pages (a page ranks by its best
        // section; its other matching sections are folded under it).
        var keep = pages ? Math.max(limit * 6, 60) : limit;
        var top = [];
        var total = 0;
        acc.forEach(function (doc, score) {
          for (var i = 0; i < filters.length; i++) if (!filters[i].has(doc)) return;
          total++;
          keepTop(top, keep, score, doc);
        });
        var marks = new Set();
        planned.forEach(function (p) { postingOf(p.term)[0].forEach(function (s) { marks.add(s); }); });
        function hitOf(t) {
          var batch = metaBatches.get(shardIndex(manifest.meta, t[1]));
          var d = batch.docs[t[1] - batch.first];
          return {
            doc: t[1], score: t[0], url: d.url, title: d.title, section: d.section, text: d.text,
            kind: d.kind, audience: d.audience, excerpt: excerpt(d.text, highlight(d.text, marks, manifest.tokenizer))
          };
        }
        function loadBatches(list) {
          var batches = new Set(list.map(function (t) { return shardIndex(manifest.meta, t[1]); }));
          return Promise.all(Array.from(batches).map(metaBatch));
        }
        if (!pages) {
          return loadBatches(top).then(function () {
            return { total: total, hits: top.map(hitOf), files: loaded.slice() };
          });
        }
        // Pages in order of their best section; metadata is loaded a window at a time.
        var byPage = new Map();
        var order = [];
        // After the first window, only as many sections as pages are still missing: each
        // new batch costs a reader bytes.
        function collect(from) {
          var size = from === 0 ? limit : limit - order.length;
          var window = top.slice(from, from + size);
          return loadBatches(window).then(function () {
            window.forEach(function (t) {
              var hit = hitOf(t);
              var page = hit.url.split('#')[0];
              if (!byPage.has(page)) {
                if (order.length >= limit) return;
                hit.more = [];
                byPage.set(page, hit);
                order.push(hit);
              } else if (byPage.get(page).more.length < 5) byPage.get(page).more.push(hit);
            });
            if (order.length < limit && from + size < top.length) return collect(from + size);
          });
        }
        return collect(0).then(function () {
          return { total: total, hits: order, files: loaded.slice() };
        });
      });
    }

    return {
      ready: ready,
      plan: plan,
      search: search,
      manifest: function () { return manifest; },
      loadedFiles: function () { return loaded.slice(); }
    };
  }

  /**
   * Keeps the best `limit` of [score, doc] in `top`, best first: higher score, then lower doc
   * (Tantivy's tie-break by document order). Linear in the number of matches.
   */
  function keepTop(top, limit, score, doc) {
    if (limit <= 0) return;
    if (top.length === limit) {
      var worst = top[limit - 1];
      if (score < worst[0] || (score === worst[0] && doc > worst[1])) return;
      top.pop();
    }
    var i = top.length;
    while (i > 0 && (top[i - 1][0] < score || (top[i - 1][0] === score && top[i - 1][1] > doc))) i--;
    top.splice(i, 0, [score, doc]);
  }

  /* ---------- excerpts ---------- */

  /** UTF-16 ranges [from, to) of the words of `text` whose surface form is in `surfaces`. */
  function highlight(text, surfaces, mode) {
    var ranges = [];
    analyze(text, mode).forEach(function (s) {
      if (surfaces.has(s.text)) {
        var lastRange = ranges[ranges.length - 1];
        if (lastRange && s.from <= lastRange[1]) lastRange[1] = Math.max(lastRange[1], s.to);
        else ranges.push([s.from, s.to]);
      }
    });
    return ranges;
  }

  // Display columns of a character: 2 for Han, kana, Hangul and fullwidth forms (as
  // unicode-width counts them in src/search/export.rs), else 1.
  function columns(ch) {
    var cp = ch.codePointAt(0);
    return isCjk(cp) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFF60) ? 2 : 1;
  }
  // A place to cut text: between two characters not both part of one word (a space, or a
  // Han, kana or Hangul character on either side).
  function canBreak(text, i) {
    if (i <= 0 || i >= text.length) return true;
    var before = String.fromCodePoint(text.codePointAt(i - 1 - (/[\uDC00-\uDFFF]/.test(text[i - 1]) ? 1 : 0)));
    var after = String.fromCodePoint(text.codePointAt(i));
    var word = function (c) { return ALNUM.test(c) && !isCjk(c.codePointAt(0)); };
    return !(word(before) && word(after));
  }

  /**
   * About `size` columns of text around the first match, cut between words, as pieces
   * { text, mark }.
   */
  function excerpt(text, ranges, size) {
    size = size || 180;
    var start = 0;
    if (ranges.length && ranges[0][0] > size / 3) {
      start = ranges[0][0] - Math.floor(size / 3);
      while (start < ranges[0][0] && !canBreak(text, start)) start++;
      while (start < ranges[0][0] && /\s/.test(text[start])) start++;
    }
    var end = start;
    var width = 0;
    for (var ch of text.slice(start)) {
      width += columns(ch);
      if (width > size) break;
      end += ch.length;
    }
    if (end < text.length) {
      var cut = end;
      while (cut > start && !canBreak(text, cut)) cut--;
      if (cut > start) end = cut;
      while (end > start && /\s/.test(text[end - 1])) end--;
    }
    var pieces = [];
    if (start > 0) pieces.push({ text: '… ', mark: false });
    var pos = start;
    ranges.forEach(function (r) {
      if (r[1] <= start || r[0] >= end) return;
      var a = Math.max(r[0], start), b = Math.min(r[1], end);
      if (a > pos) pieces.push({ text: text.slice(pos, a), mark: false });
      pieces.push({ text: text.slice(a, b), mark: true });
      pos = b;
    });
    if (pos < end) pieces.push({ text: text.slice(pos, end), mark: false });
    if (end < text.length && !text.endsWith('…')) pieces.push({ text: ' …', mark: false });
    return pieces;
  }

  global.PortalSearch = {
    createEngine: createEngine,
    analyze: analyze,
    decodeVarints: decodeVarints,
    highlight: highlight,
    excerpt: excerpt,
    FIELDNORM_TABLE: FIELDNORM_TABLE
  };

  /* ---------- user interface ---------- */

  if (typeof document === 'undefined') return;

  var engines = new Map();
  function engineFor(root, lang) {
    var key = root + '\n' + lang;
    if (!engines.has(key)) {
      engines.set(key, createEngine(lang, function (path) {
        return new Promise(function (resolve, reject) {
          var script = document.createElement('script');
          script.src = root + path;
          script.async = true;
          script.onload = resolve;
          script.onerror = function () { reject(new Error('cannot load ' + path)); };
          document.head.appendChild(script);
        });
      }));
    }
    return engines.get(key);
  }

  function format(template, count) {
    return String(template || '{count}').replace('{count}', String(count));
  }

  // "N results" in the plural form of the search's language: the forms per CLDR category come
  // from the strings file (data-plural-results, JSON), Intl.PluralRules picks one.
  function resultCount(element, count) {
    var forms = {};
    try {
      forms = JSON.parse(element.getAttribute('data-plural-results') || '{}');
    } catch (e) {
      forms = {};
    }
    var category = 'other';
    try {
      category = new Intl.PluralRules(element.getAttribute('data-search-lang') || undefined).select(count);
    } catch (e) {
      category = 'other';
    }
    return format(forms[category] || forms.other, count);
  }

  function renderExcerpt(container, pieces) {
    pieces.forEach(function (piece) {
      if (piece.mark) {
        var mark = document.createElement('mark');
        mark.textContent = piece.text;
        container.appendChild(mark);
      } else {
        container.appendChild(document.createTextNode(piece.text));
      }
    });
  }

  function hitTitle(hit) {
    return hit.section && hit.section !== hit.title ? hit.title + ' › ' + hit.section : hit.title;
  }

  function isTyping(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
  }

  // The header combobox (ARIA 1.2 combobox with a listbox popup): one option per page (its
  // best section deep-linked), the page's other matching sections folded under a "more on
  // this page" option, and a last option leading to the search page with the query.
  function initBox(form) {
    var root = form.getAttribute('data-search-root') || '';
    var lang = form.getAttribute('data-search-lang') || 'en';
    var input = form.querySelector('input[role="combobox"]');
    var list = form.querySelector('[role="listbox"]');
    var status = form.querySelector('[role="status"]');
    if (!input || !list) return;
    var engine = engineFor(root, lang);
    var active = -1;
    var timer = 0;
    var generation = 0;

    // The options a reader can reach now (folded sections are hidden).
    function options() { return Array.prototype.slice.call(list.querySelectorAll('[role="option"]:not([hidden])')); }
    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }
    function setActive(i) {
      var all = options();
      all.forEach(function (o, k) { o.setAttribute('aria-selected', k === i ? 'true' : 'false'); });
      active = i;
      if (i >= 0 && all[i]) {
        input.setAttribute('aria-activedescendant', all[i].id);
        all[i].scrollIntoView({ block: 'nearest' });
      } else input.removeAttribute('aria-activedescendant');
    }
    function go(url) { global.location.href = url; }
    function searchPage(q) { return root + lang + '/search.html?q=' + encodeURIComponent(q); }
    // Activates an option: opens its section, unfolds its page's other sections, or opens
    // the search page.
    function choose(li) {
      if (li.hasAttribute('data-unfold')) {
        var group = li.getAttribute('data-unfold');
        list.querySelectorAll('[data-group="' + group + '"]').forEach(function (o) { o.hidden = false; });
        var index = options().indexOf(li);
        li.hidden = true;
        setActive(index);
        return;
      }
      go(li.getAttribute('data-href'));
    }
    function option(id, className, href) {
      var li = document.createElement('li');
      li.id = list.id + '-' + id;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.className = className;
      if (href) li.setAttribute('data-href', href);
      li.addEventListener('mousedown', function (e) { e.preventDefault(); });
      li.addEventListener('click', function () { choose(li); });
      return li;
    }
    function hitOption(id, className, hit, title) {
      var li = option(id, className, root + hit.url);
      var t = document.createElement('span');
      t.className = 'search-option-title';
      t.textContent = title;
      var text = document.createElement('span');
      text.className = 'search-option-excerpt';
      renderExcerpt(text, hit.excerpt);
      li.appendChild(t);
      li.appendChild(text);
      return li;
    }
    function render(result, q) {
      // Which query the options answer (typing fires several; tests wait for the last one).
      list.setAttribute('data-query', q);
      while (list.firstChild) list.removeChild(list.firstChild);
      result.hits.forEach(function (hit, i) {
        list.appendChild(hitOption(i, 'search-option', hit, hitTitle(hit)));
        if (!hit.more || !hit.more.length) return;
        var more = option(i + '-more', 'search-option search-option-more');
        more.setAttribute('data-unfold', String(i));
        more.textContent = format(form.getAttribute('data-msg-more'), hit.more.length);
        list.appendChild(more);
        hit.more.forEach(function (sub, k) {
          var li = hitOption(i + '-' + k, 'search-option search-option-sub', sub, sub.section || sub.title);
          li.setAttribute('data-group', String(i));
          li.hidden = true;
          list.appendChild(li);
        });
      });
      if (result.hits.length) {
        var all = option('all', 'search-option search-option-all', searchPage(q));
        all.textContent = String(form.getAttribute('data-msg-all') || '{query}').replace('{query}', q.trim());
        list.appendChild(all);
      }
      var message = result.total === 0 ? form.getAttribute('data-msg-none')
        : resultCount(form, result.total);
      if (status) status.textContent = message || '';
      list.hidden = result.hits.length === 0;
      input.setAttribute('aria-expanded', result.hits.length ? 'true' : 'false');
      active = -1;
    }
    function run() {
      var q = input.value;
      var mine = ++generation;
      if (!q.trim()) { close(); if (status) status.textContent = ''; return; }
      engine.search(q, { limit: 8, pages: true }).then(function (result) {
        if (mine === generation) render(result, q);
      }, function () {
        if (mine === generation && status) status.textContent = form.getAttribute('data-msg-error') || '';
      });
    }
    input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(run, 80); });
    input.addEventListener('focus', function () { engine.ready().catch(function () {}); });
    input.addEventListener('keydown', function (e) {
      var count = options().length;
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        if (list.hidden && count) { list.hidden = false; input.setAttribute('aria-expanded', 'true'); }
        setActive(count ? (active + 1) % count : -1);
      } else if (e.key === 'ArrowUp') {
        e.preventDefault();
        setActive(count ? (active <= 0 ? count - 1 : active - 1) : -1);
      } else if (e.key === 'Enter') {
        var current = options()[active];
        if (active >= 0 && current && !list.hidden) { e.preventDefault(); choose(current); }
      } else if (e.key === 'Escape') {
        if (!list.hidden) { e.preventDefault(); close(); } else input.value = '';
      }
    });
    input.addEventListener('blur', function () { setTimeout(close, 150); });
  }

  // The search page: a search field, filters and a result list.
  function initPage(page) {
    var root = page.getAttribute('data-search-root') || '';
    var lang = page.getAttribute('data-search-lang') || 'en';
    var form = page.querySelector('form');
    var input = page.querySelector('input[type="search"]');
    var kind = page.querySelector('select[name="kind"]');
    var audience = page.querySelector('select[name="audience"]');
    var list = page.querySelector('.search-results');
    var status = page.querySelector('[role="status"]');
    var more = page.querySelector('.search-more');
    if (!input || !list) return;
    var engine = engineFor(root, lang);
    var limit = 20;
    var generation = 0;
    var params = new URLSearchParams(global.location.search);
    input.value = params.get('q') || '';
    if (kind && params.get('kind')) kind.value = params.get('kind');
    if (audience && params.get('audience')) audience.value = params.get('audience');

    function run() {
      var mine = ++generation;
      var q = input.value;
      if (!q.trim()) {
        while (list.firstChild) list.removeChild(list.firstChild);
        if (status) status.textContent = '';
        if (more) more.hidden = true;
        return;
      }
      engine.search(q, { limit: limit, pages: true, kind: kind && kind.value, audience: audience && audience.value }).then(function (result) {
        if (mine !== generation) return;
        while (list.firstChild) list.removeChild(list.firstChild);
        result.hits.forEach(function (hit) {
          var li = document.createElement('li');
          li.className = 'search-result';
          var h = document.createElement('a');
          h.className = 'search-result-title';
          h.href = root + hit.url;
          h.textContent = hitTitle(hit);
          var p = document.createElement('p');
          p.className = 'search-result-excerpt';
          renderExcerpt(p, hit.excerpt);
          li.appendChild(h);
          li.appendChild(p);
          if (hit.more && hit.more.length) {
            // The page's other matching sections, folded.
            var details = document.createElement('details');
            details.className = 'search-result-more';
            var summary = document.createElement('summary');
            summary.textContent = format(page.getAttribute('data-msg-more'), hit.more.length);
            details.appendChild(summary);
            var sub = document.createElement('ul');
            hit.more.forEach(function (m) {
              var item = document.createElement('li');
              var a = document.createElement('a');
              a.href = root + m.url;
              a.textContent = m.section || m.title;
              item.appendChild(a);
              sub.appendChild(item);
            });
            details.appendChild(sub);
            li.appendChild(details);
          }
          list.appendChild(li);
        });
        var message = result.total === 0 ? page.getAttribute('data-msg-none')
          : resultCount(page, result.total);
        if (status) status.textContent = message || '';
        if (more) more.hidden = result.hits.length < limit;
      }, function () {
        if (mine === generation && status) status.textContent = page.getAttribute('data-msg-error') || '';
      });
    }
    function syncUrl() {
      var next = new URLSearchParams();
      if (input.value) next.set('q', input.value);
      if (kind && kind.value) next.set('kind', kind.value);
      if (audience && audience.value) next.set('audience', audience.value);
      try { global.history.replaceState(null, '', '?' + next.toString()); } catch (e) { /* file:// may refuse */ }
    }
    var timer = 0;
    input.addEventListener('input', function () { limit = 20; clearTimeout(timer); timer = setTimeout(function () { syncUrl(); run(); }, 80); });
    [kind, audience].forEach(function (select) {
      if (select) select.addEventListener('change', function () { limit = 20; syncUrl(); run(); });
    });
    if (form) form.addEventListener('submit', function (e) { e.preventDefault(); syncUrl(); run(); });
    if (more) more.addEventListener('click', function () { limit += 20; run(); });
    run();
  }

  function init() {
    document.querySelectorAll('form[data-search-box]').forEach(initBox);
    document.querySelectorAll('[data-search-page]').forEach(initPage);
    document.addEventListener('keydown', function (e) {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      var target = document.querySelector('[data-search-page] input[type="search"]') ||
        document.querySelector('form[data-search-box] input[role="combobox"]');
      if (target) { e.preventDefault(); target.focus(); target.select(); }
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})(typeof window !== 'undefined' ? window : globalThis);
