/* tradefacts._native: the extractor's front end in C.
 *
 * Exactly what the pure-Python reference does, only faster:
 *
 *   tokenize(text, offset)     tradefacts.extract.tokens.tokenize_py
 *   scan(lexicon, norms)       tradefacts.lang.lexicon.Lexicon.scan_py
 *   analyse(tokens, lexicon, index)
 *                              tradefacts.extract.analysis.SentenceAnalysis._analyse_py
 *                              (nums, hits, hit_starts and the category index)
 *   split_sentences(text, abbreviations, can_end)
 *                              tradefacts.extract.tokens.split_sentences_py
 *   breaks(tokens, cue)        SentenceAnalysis._breaks_py
 *   pick(index, categories, j) SentenceAnalysis.starting (j=0) / ending (j=1)
 *   index_methods()            SentenceAnalysis.first_hit (longest_hit), last_hit_ending
 *                              and hits_of as C methods (analysis._PY_METHODS: reference)
 *
 * The Python modules hand over what the C code needs once, at import (setup_tokens,
 * setup_scan, setup_index, setup_sentences): the Token, Hit and Sentence classes, the
 * norm cache and norm(), the apostrophes, the shared "nothing" candidates and the
 * category-name cache. The
 * module keeps them in static variables (one interpreter per process).
 *
 * The tokenizer reproduces the regular expression
 *
 *   (\s*)(?:([^\W\d_]+(?:[APOS][^\W\d_]+)*)|(DATE)|(NUM)|(\S))
 *
 * as Python's sre runs it on a str pattern: \s is Py_UNICODE_ISSPACE, \d is
 * Py_UNICODE_ISDECIMAL, \w is Py_UNICODE_ISALNUM or '_', so [^\W\d_] is "alnum, not a
 * decimal digit, not '_'" (superscript digits such as U+00B2 are letters here). The
 * comments at each alternative explain how its backtracking comes out.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define API_VERSION 1

#if defined(__GNUC__) || defined(__clang__)
#define ALWAYS_INLINE static inline __attribute__((always_inline))
#define NOINLINE static __attribute__((noinline))
#elif defined(_MSC_VER)
#define ALWAYS_INLINE static __forceinline
#define NOINLINE static __declspec(noinline)
#else
#define ALWAYS_INLINE static inline
#define NOINLINE static
#endif

/* ------------------------------------------------------------------------------------ */
/* state handed over by the Python modules                                              */

static PyTypeObject *TokenType = NULL; /* tradefacts.extract.tokens.Token */
static PyObject *NormCache = NULL;     /* tradefacts.lang.lexicon.NORM_CACHE */
static PyObject *NormFunc = NULL;      /* tradefacts.lang.lexicon.norm */
static PyObject *K_WORD = NULL, *K_DATE = NULL, *K_NUM = NULL, *K_P = NULL;

static PyTypeObject *HitType = NULL; /* tradefacts.lang.lexicon.Hit */
static PyObject *Nothing = NULL;     /* tradefacts.lang.lexicon._NOTHING */

static PyObject *NamesCache = NULL; /* tradefacts.extract.analysis._NAMES */
static PyObject *NamesFunc = NULL;  /* tradefacts.extract.analysis._names */

/* interned attribute and method names */
static PyObject *S_cand_cache, *S_candidates, *S_word_matches, *S_case_of;
static PyObject *S_words, *S_lang, *S_category, *S_payload, *S_empty, *S_languages;

/* ------------------------------------------------------------------------------------ */
/* character classes                                                                     */

#define C_SPACE 1  /* \s */
#define C_DEC 2    /* \d */
#define C_WORD 4   /* \w (for \b) */
#define C_LETTER 8 /* [^\W\d_] */
#define C_APOS 16  /* one of lexicon.APOSTROPHES */

#define TABLE_SIZE 0x3000 /* Latin, Cyrillic, Arabic, general punctuation, U+202F... */
static unsigned char ctab[TABLE_SIZE];
#define MAX_APOS 32
static Py_UCS4 apos[MAX_APOS];
static int n_apos = 0;

static unsigned char
classify(Py_UCS4 ch)
{
    unsigned char f = 0;
    int dec = Py_UNICODE_ISDECIMAL(ch);
    int alnum = Py_UNICODE_ISALNUM(ch);
    if (Py_UNICODE_ISSPACE(ch))
        f |= C_SPACE;
    if (dec)
        f |= C_DEC;
    if (alnum || ch == '_')
        f |= C_WORD;
    if (alnum && !dec && ch != '_')
        f |= C_LETTER;
    for (int k = 0; k < n_apos; k++)
        if (apos[k] == ch)
            f |= C_APOS;
    return f;
}

static void
build_table(void)
{
    for (Py_UCS4 ch = 0; ch < TABLE_SIZE; ch++)
        ctab[ch] = classify(ch);
}

NOINLINE unsigned char
cls_slow(Py_UCS4 ch)
{
    return classify(ch);
}

ALWAYS_INLINE unsigned char
cls(Py_UCS4 ch)
{
    return ch < TABLE_SIZE ? ctab[ch] : cls_slow(ch);
}

/* ------------------------------------------------------------------------------------ */
/* small helpers                                                                         */

/* The int for a character offset: offsets below OFFSET_CACHE are made once and shared
 * (as CPython shares the ints below 257), so that tokens and sentences do not allocate
 * two new ints each. Ints are immutable: sharing them changes no result. */
#define OFFSET_CACHE 65536
static PyObject *offset_ints[OFFSET_CACHE];

static PyObject *
offset_int(Py_ssize_t v)
{
    if (v < 0 || v >= OFFSET_CACHE)
        return PyLong_FromSsize_t(v);
    PyObject *o = offset_ints[v];
    if (o == NULL) {
        o = PyLong_FromSsize_t(v);
        if (o == NULL)
            return NULL;
        offset_ints[v] = o; /* the cache keeps this reference for the process */
    }
    return Py_NewRef(o);
}

/* A tuple subclass instance (Token, Hit) from n new references, which it steals, the
 * way tuple_subtype_new fills one. */
static PyObject *
make_sub(PyTypeObject *tp, Py_ssize_t n, PyObject **items)
{
    PyObject *o = tp->tp_alloc(tp, n);
    if (o == NULL) {
        for (Py_ssize_t k = 0; k < n; k++)
            Py_XDECREF(items[k]);
        return NULL;
    }
    for (Py_ssize_t k = 0; k < n; k++)
        PyTuple_SET_ITEM(o, k, items[k]);
    return o;
}

/* item k of a sequence, a new reference (tuples directly) */
static PyObject *
item_of(PyObject *seq, Py_ssize_t k)
{
    if (PyTuple_Check(seq)) {
        if (k < PyTuple_GET_SIZE(seq)) {
            PyObject *v = PyTuple_GET_ITEM(seq, k);
            Py_INCREF(v);
            return v;
        }
        PyErr_SetString(PyExc_IndexError, "tuple index out of range");
        return NULL;
    }
    return PySequence_GetItem(seq, k);
}

/* `a > b` (op Py_GT) or `a < b` (Py_LT), plain ints directly. -1 on error. */
static int
compare(PyObject *a, PyObject *b, int op)
{
    if (PyLong_CheckExact(a) && PyLong_CheckExact(b)) {
        int oa, ob;
        long x = PyLong_AsLongAndOverflow(a, &oa);
        long y = PyLong_AsLongAndOverflow(b, &ob);
        if (!oa && !ob)
            return op == Py_GT ? x > y : x < y;
    }
    return PyObject_RichCompareBool(a, b, op);
}

/* a tuple of exactly n items unpacked into borrowed references, as `a, b = x` would
 * (other iterables: a new tuple in *keep, which the caller releases) */
static int
unpack(PyObject *x, Py_ssize_t n, PyObject **out, PyObject **keep)
{
    PyObject *t = x;
    *keep = NULL;
    if (!PyTuple_Check(x)) {
        t = PySequence_Tuple(x);
        if (t == NULL)
            return -1;
        *keep = t;
    }
    if (PyTuple_GET_SIZE(t) != n) {
        if (PyTuple_GET_SIZE(t) > n)
            PyErr_Format(PyExc_ValueError, "too many values to unpack (expected %zd)", n);
        else
            PyErr_Format(PyExc_ValueError, "not enough values to unpack (expected %zd, got %zd)",
                         n, PyTuple_GET_SIZE(t));
        Py_CLEAR(*keep);
        return -1;
    }
    for (Py_ssize_t k = 0; k < n; k++)
        out[k] = PyTuple_GET_ITEM(t, k);
    return 0;
}

/* ------------------------------------------------------------------------------------ */
/* tokenize                                                                              */

/* A str argument, ready to read: 0, or -1 with a TypeError naming the function. */
static int
str_arg(PyObject *text, const char *function)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "%s() needs a str, not %.100s", function,
                     Py_TYPE(text)->tp_name);
        return -1;
    }
    return PyUnicode_READY(text);
}

static PyObject *
tokenize_fail(PyObject *out)
{
    Py_DECREF(out);
    return NULL;
}

#define RD(k) PyUnicode_READ(kind, data, (k))
#define IS(k, flag) ((k) < n && (cls(RD(k)) & (flag)))
#define DEC(k) IS(k, C_DEC)
#define CH(k, c) ((k) < n && RD(k) == (Py_UCS4)(c))

/* After \d{1,3} at p: (?:SEP\d{3}){2,}(?:DEC\d+)? ("1.844.036,12", "1,844,036.5") or
 * SEP\d{3}DEC\d+ ("1.234,5", "18,101.4"): where the number ends, or -1. */
ALWAYS_INLINE Py_ssize_t
grouped_end(const int kind, const void *data, Py_ssize_t n, Py_ssize_t p, Py_UCS4 sep,
            Py_UCS4 dec)
{
    Py_ssize_t groups = 0;
    while (CH(p, sep) && DEC(p + 1) && DEC(p + 2) && DEC(p + 3)) {
        p += 4;
        groups++;
    }
    /* one group only with the decimal mark after it ("18,101.4", "1.234,5") */
    if (groups < 2 && !(groups == 1 && CH(p, dec) && DEC(p + 1)))
        return -1;
    if (CH(p, dec) && DEC(p + 1)) {
        p += 2;
        while (DEC(p))
            p++;
    }
    return p;
}

/* The tokenizer's loop for one string kind (1, 2 or 4 bytes per code point); the
 * compiler specialises it for each constant kind. */
ALWAYS_INLINE PyObject *
tokenize_kind(const int kind, const void *data, Py_ssize_t n, PyObject *text,
              Py_ssize_t offset)
{
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    Py_ssize_t i = 0;
    int first = 1;
    for (;;) {
        Py_ssize_t ws = i;
        unsigned char f = 0;
        while (i < n) {
            f = cls(RD(i));
            if (!(f & C_SPACE))
                break;
            i++;
        }
        /* only white space left: (\s*) then nothing matches, findall stops */
        if (i >= n)
            break;
        Py_ssize_t s = i, e;
        PyObject *kobj;
        if (f & C_LETTER) {
            /* [^\W\d_]+(?:[APOS][^\W\d_]+)*  -- nothing follows it in the pattern, so
             * the greedy reading is the match */
            e = s + 1;
            while (IS(e, C_LETTER))
                e++;
            while (IS(e, C_APOS) && IS(e + 1, C_LETTER)) {
                e += 2;
                while (IS(e, C_LETTER))
                    e++;
            }
            kobj = K_WORD;
        }
        else if (f & C_DEC) {
            e = -1;
            kobj = K_DATE;
            /* \d{4}-\d{2}-\d{2}(?:T[\d:+\-]+)? */
            if (DEC(s + 1) && DEC(s + 2) && DEC(s + 3) && CH(s + 4, '-') && DEC(s + 5) &&
                DEC(s + 6) && CH(s + 7, '-') && DEC(s + 8) && DEC(s + 9)) {
                e = s + 10;
#define TCH(k) (DEC(k) || CH(k, ':') || CH(k, '+') || CH(k, '-'))
                if (CH(e, 'T') && TCH(e + 1)) {
                    e += 2;
                    while (TCH(e))
                        e++;
                }
#undef TCH
            }
            else {
                /* \d{1,2}[./]\d{1,2}[./]\d{4}\b: \d{1,2} takes two digits when there are
                 * two (giving one back leaves a digit where [./] must be), so each part
                 * is decided at once */
                Py_ssize_t p = s + (DEC(s + 1) ? 2 : 1);
                if (CH(p, '.') || CH(p, '/')) {
                    p++;
                    if (DEC(p)) {
                        p += DEC(p + 1) ? 2 : 1;
                        if (CH(p, '.') || CH(p, '/')) {
                            p++;
                            if (DEC(p) && DEC(p + 1) && DEC(p + 2) && DEC(p + 3) &&
                                !IS(p + 4, C_WORD))
                                e = p + 4;
                        }
                    }
                }
            }
            if (e < 0) {
                kobj = K_NUM;
                Py_ssize_t L = 1;
                while (DEC(s + L))
                    L++;
                /* \d{1,3} can only be followed by a separator when it takes the whole
                 * run of digits: the first three alternatives need a run of 1-3 */
                if (L <= 3) {
                    /* \d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)(?:,\d+)? : when a digit
                     * follows the last group, the repeat gives that group back (then a
                     * space follows and neither (?!\d) nor ",\d+" stands in the way) */
                    Py_ssize_t p = s + L, groups = 0;
                    while ((CH(p, ' ') || CH(p, 0xa0) || CH(p, 0x202f)) && DEC(p + 1) &&
                           DEC(p + 2) && DEC(p + 3)) {
                        p += 4;
                        groups++;
                    }
                    if (groups >= 1) {
                        if (!DEC(p)) {
                            if (CH(p, ',') && DEC(p + 1)) {
                                p += 2;
                                while (DEC(p))
                                    p++;
                            }
                            e = p;
                        }
                        else if (groups >= 2)
                            e = p - 4;
                    }
                    /* \d{1,3}(?:\.\d{3}){2,}(?:,\d+)?, then \d{1,3}(?:,\d{3}){2,}(?:\.\d+)? */
                    if (e < 0)
                        e = grouped_end(kind, data, n, s + L, '.', ',');
                    if (e < 0)
                        e = grouped_end(kind, data, n, s + L, ',', '.');
                }
                /* \d+(?:[.,]\d+)? */
                if (e < 0) {
                    Py_ssize_t p = s + L;
                    if ((CH(p, '.') || CH(p, ',')) && DEC(p + 1)) {
                        p += 2;
                        while (DEC(p))
                            p++;
                    }
                    e = p;
                }
            }
        }
        else {
            e = s + 1; /* \S */
            kobj = K_P;
        }

        PyObject *items[6];
        PyObject *txt = PyUnicode_Substring(text, s, e);
        if (txt == NULL)
            return tokenize_fail(out);
        PyObject *nrm;
        if (kobj == K_WORD) {
            /* cache.get(word) or norm(word) */
            nrm = PyDict_GetItemWithError(NormCache, txt);
            int truth = 0;
            if (nrm != NULL) {
                truth = PyUnicode_CheckExact(nrm) ? PyUnicode_GET_LENGTH(nrm) > 0
                                                  : PyObject_IsTrue(nrm);
                if (truth < 0) {
                    Py_DECREF(txt);
                    return tokenize_fail(out);
                }
            }
            else if (PyErr_Occurred()) {
                Py_DECREF(txt);
                return tokenize_fail(out);
            }
            if (truth)
                Py_INCREF(nrm);
            else {
                nrm = PyObject_CallOneArg(NormFunc, txt);
                if (nrm == NULL) {
                    Py_DECREF(txt);
                    return tokenize_fail(out);
                }
            }
        }
        else {
            nrm = txt;
            Py_INCREF(nrm);
        }
        items[0] = txt;
        items[1] = nrm;
        items[2] = offset_int(offset + s);
        items[3] = offset_int(offset + e);
        if (items[2] == NULL || items[3] == NULL) {
            for (int k = 0; k < 4; k++)
                Py_XDECREF(items[k]);
            return tokenize_fail(out);
        }
        Py_INCREF(kobj);
        items[4] = kobj;
        items[5] = (i > ws || first) ? Py_True : Py_False;
        Py_INCREF(items[5]);
        PyObject *tok = make_sub(TokenType, 6, items);
        if (tok == NULL)
            return tokenize_fail(out);
        int rc = PyList_Append(out, tok);
        Py_DECREF(tok);
        if (rc < 0)
            return tokenize_fail(out);
        i = e;
        first = 0;
    }
    return out;
#undef RD
#undef IS
#undef DEC
#undef CH
}

static PyObject *
tokenize(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (TokenType == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "tradefacts._native: setup_tokens() not called");
        return NULL;
    }
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, "tokenize(text, offset=0)");
        return NULL;
    }
    PyObject *text = args[0];
    if (str_arg(text, "tokenize") < 0)
        return NULL;
    Py_ssize_t offset = 0;
    if (nargs == 2) {
        offset = PyNumber_AsSsize_t(args[1], PyExc_OverflowError);
        if (offset == -1 && PyErr_Occurred())
            return NULL;
    }
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        return tokenize_kind(PyUnicode_1BYTE_KIND, data, n, text, offset);
    case PyUnicode_2BYTE_KIND:
        return tokenize_kind(PyUnicode_2BYTE_KIND, data, n, text, offset);
    default:
        return tokenize_kind(PyUnicode_4BYTE_KIND, data, n, text, offset);
    }
}

/* ------------------------------------------------------------------------------------ */
/* scan                                                                                  */

/* str.isalpha() or not s */
static int
alpha_or_empty(PyObject *s)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    for (Py_ssize_t k = 0; k < n; k++)
        if (!Py_UNICODE_ISALPHA(PyUnicode_READ(kind, data, k)))
            return 0;
    return 1;
}

/* Lexicon.word_matches(stem, mode, token, lang). In C what needs no language: a token
 * that does not start with the stem (most calls), the "exact" and "free" modes and a
 * token that is the stem itself; the endings of the "suffix" mode go to Python. */
static PyObject *
word_matches(PyObject *lex, PyObject *stem, PyObject *mode, PyObject *tok, PyObject *lang)
{
    if (PyUnicode_CheckExact(stem) && PyUnicode_CheckExact(tok) && PyUnicode_CheckExact(mode)) {
        Py_ssize_t r = PyUnicode_Tailmatch(tok, stem, 0, PY_SSIZE_T_MAX, -1);
        if (r < 0)
            return NULL;
        if (r == 0)
            Py_RETURN_NONE;
        Py_ssize_t ls = PyUnicode_GET_LENGTH(stem), lt = PyUnicode_GET_LENGTH(tok);
        if (PyUnicode_CompareWithASCIIString(mode, "exact") == 0) {
            if (lt == ls)
                return PyTuple_New(0);
            Py_RETURN_NONE;
        }
        if (PyUnicode_CompareWithASCIIString(mode, "free") == 0) {
            PyObject *rest = PyUnicode_Substring(tok, ls, lt);
            if (rest == NULL)
                return NULL;
            PyObject *res = alpha_or_empty(rest) ? PyTuple_Pack(1, rest) : Py_NewRef(Py_None);
            Py_DECREF(rest);
            return res;
        }
        /* the suffix mode: no rest, no endings (split_suffixes("") is ()) */
        if (lt == ls)
            return PyTuple_New(0);
    }
    PyObject *args[5] = {lex, stem, mode, tok, lang};
    return PyObject_VectorcallMethod(S_word_matches, args,
                                     5 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
}

/* Lexicon.case_of(lang, chain): the case of the last ending of the chain that has one */
static PyObject *
case_of(PyObject *lex, PyObject *lang, PyObject *chain)
{
    if (!PyTuple_CheckExact(chain)) {
        PyObject *args[3] = {lex, lang, chain};
        return PyObject_VectorcallMethod(S_case_of, args, 3 | PY_VECTORCALL_ARGUMENTS_OFFSET,
                                         NULL);
    }
    Py_ssize_t n = PyTuple_GET_SIZE(chain);
    if (n == 0)
        Py_RETURN_NONE;
    /* cases = self.languages[lang].case_of */
    PyObject *res = NULL, *language = NULL, *cases = NULL;
    PyObject *languages = PyObject_GetAttr(lex, S_languages);
    if (languages == NULL)
        return NULL;
    language = PyObject_GetItem(languages, lang);
    if (language == NULL)
        goto done;
    cases = PyObject_GetAttr(language, S_case_of);
    if (cases == NULL)
        goto done;
    for (Py_ssize_t k = n - 1; k >= 0; k--) {
        PyObject *suf = PyTuple_GET_ITEM(chain, k);
        int in = PySequence_Contains(cases, suf);
        if (in < 0)
            goto done;
        if (in) {
            res = PyObject_GetItem(cases, suf);
            goto done;
        }
    }
    res = Py_NewRef(Py_None);
done:
    Py_DECREF(languages);
    Py_XDECREF(language);
    Py_XDECREF(cases);
    return res;
}

/* The multi-word entries `group` (a sequence of (entry, chain)) tried at token i.
 * Appends their hits; *seen is the set of hit keys, created on first use. */
static int
scan_multis(PyObject *lex, PyObject *toks, Py_ssize_t n, Py_ssize_t i, PyObject *group,
            PyObject *hits, PyObject **seen)
{
    PyObject *fast = PySequence_Fast(group, "candidates: the multi-word group is not a sequence");
    if (fast == NULL)
        return -1;
    int ret = -1;
    Py_ssize_t ng = PySequence_Fast_GET_SIZE(fast);
    for (Py_ssize_t g = 0; g < ng; g++) {
        PyObject *pair[2], *keep;
        PyObject *words = NULL, *lang = NULL, *chain = NULL, *wfast = NULL;
        PyObject *cat = NULL, *payload = NULL, *ci = NULL, *cj = NULL, *cas = NULL;
        PyObject *key = NULL, *suffix = NULL;
        int ok = 0;
        if (unpack(PySequence_Fast_GET_ITEM(fast, g), 2, pair, &keep) < 0)
            goto done;
        PyObject *e = pair[0];
        Py_INCREF(e);
        chain = pair[1];
        Py_INCREF(chain);
        Py_XDECREF(keep);
        words = PyObject_GetAttr(e, S_words);
        if (words == NULL)
            goto next;
        lang = PyObject_GetAttr(e, S_lang);
        if (lang == NULL)
            goto next;
        wfast = PySequence_Fast(words, "Entry.words is not a sequence");
        if (wfast == NULL)
            goto next;
        Py_ssize_t nw = PySequence_Fast_GET_SIZE(wfast);
        Py_ssize_t j = i + 1;
        int complete = 1;
        for (Py_ssize_t w = 1; w < nw; w++) {
            if (j >= n) {
                complete = 0;
                break;
            }
            PyObject *sm[2], *keep2;
            if (unpack(PySequence_Fast_GET_ITEM(wfast, w), 2, sm, &keep2) < 0)
                goto next;
            PyObject *nxt = word_matches(lex, sm[0], sm[1], PyTuple_GET_ITEM(toks, j), lang);
            Py_XDECREF(keep2);
            if (nxt == NULL)
                goto next;
            if (nxt == Py_None) {
                Py_DECREF(nxt);
                complete = 0;
                break;
            }
            Py_SETREF(chain, nxt);
            j++;
        }
        if (complete) {
            cas = case_of(lex, lang, chain);
            if (cas == NULL)
                goto next;
            cat = PyObject_GetAttr(e, S_category);
            if (cat == NULL)
                goto next;
            payload = PyObject_GetAttr(e, S_payload);
            if (payload == NULL)
                goto next;
            ci = PyLong_FromSsize_t(i);
            cj = PyLong_FromSsize_t(j);
            if (ci == NULL || cj == NULL)
                goto next;
            key = PyTuple_Pack(5, cat, payload, ci, cj, cas);
            if (key == NULL)
                goto next;
            if (*seen == NULL) {
                *seen = PySet_New(NULL);
                if (*seen == NULL)
                    goto next;
            }
            else {
                int c = PySet_Contains(*seen, key);
                if (c < 0)
                    goto next;
                if (c) {
                    ok = 1;
                    goto next;
                }
            }
            if (PySet_Add(*seen, key) < 0)
                goto next;
            suffix = PyUnicode_Join(S_empty, chain);
            if (suffix == NULL)
                goto next;
            PyObject *items[7] = {cat, payload, ci, cj, cas, lang, suffix};
            for (int k = 0; k < 7; k++)
                Py_INCREF(items[k]);
            PyObject *hit = make_sub(HitType, 7, items);
            if (hit == NULL)
                goto next;
            int rc = PyList_Append(hits, hit);
            Py_DECREF(hit);
            if (rc < 0)
                goto next;
        }
        ok = 1;
    next:
        Py_DECREF(e);
        Py_XDECREF(chain);
        Py_XDECREF(words);
        Py_XDECREF(wfast);
        Py_XDECREF(lang);
        Py_XDECREF(cat);
        Py_XDECREF(payload);
        Py_XDECREF(ci);
        Py_XDECREF(cj);
        Py_XDECREF(cas);
        Py_XDECREF(key);
        Py_XDECREF(suffix);
        if (!ok)
            goto done;
    }
    ret = 0;
done:
    Py_DECREF(fast);
    return ret;
}

/* Lexicon.scan over `toks`, a tuple of normalised token strings */
static PyObject *
scan_impl(PyObject *lex, PyObject *toks)
{
    Py_ssize_t n = PyTuple_GET_SIZE(toks);
    PyObject *hits = NULL, *seen = NULL, *cache;
    PyObject **found = NULL;
    Py_ssize_t filled = 0;

    cache = PyObject_GetAttr(lex, S_cand_cache);
    if (cache == NULL)
        return NULL;
    if (!PyDict_Check(cache)) {
        PyErr_SetString(PyExc_TypeError, "Lexicon._cand_cache is not a dict");
        goto fail;
    }
    found = PyMem_Malloc((n ? n : 1) * sizeof(PyObject *));
    if (found == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    /* cache.get(tok), else self.candidates(tok) */
    for (; filled < n; filled++) {
        PyObject *tok = PyTuple_GET_ITEM(toks, filled);
        PyObject *f = PyDict_GetItemWithError(cache, tok);
        if (f != NULL && f != Py_None)
            Py_INCREF(f);
        else {
            if (f == NULL && PyErr_Occurred())
                goto fail;
            PyObject *args[2] = {lex, tok};
            f = PyObject_VectorcallMethod(S_candidates, args,
                                          2 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
            if (f == NULL)
                goto fail;
        }
        found[filled] = f;
    }
    hits = PyList_New(0);
    if (hits == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *f = found[i];
        if (f == Nothing)
            continue;
        PyObject *two[2], *keep;
        if (unpack(f, 2, two, &keep) < 0)
            goto fail;
        PyObject *singles = two[0], *by_next = two[1];
        Py_INCREF(singles);
        Py_INCREF(by_next);
        Py_XDECREF(keep);
        PyObject *ci = NULL, *ci1 = NULL;
        int err = 0;
        PyObject *sfast = PySequence_Fast(singles, "candidates: singles is not a sequence");
        if (sfast == NULL)
            err = 1;
        Py_ssize_t ns = err ? 0 : PySequence_Fast_GET_SIZE(sfast);
        if (ns) {
            ci = PyLong_FromSsize_t(i);
            ci1 = PyLong_FromSsize_t(i + 1);
            if (ci == NULL || ci1 == NULL)
                err = 1;
        }
        for (Py_ssize_t k = 0; !err && k < ns; k++) {
            PyObject *r[5], *keep2;
            if (unpack(PySequence_Fast_GET_ITEM(sfast, k), 5, r, &keep2) < 0) {
                err = 1;
                break;
            }
            PyObject *items[7] = {r[0], r[1], ci, ci1, r[2], r[3], r[4]};
            for (int q = 0; q < 7; q++)
                Py_INCREF(items[q]);
            Py_XDECREF(keep2);
            PyObject *hit = make_sub(HitType, 7, items);
            if (hit == NULL || PyList_Append(hits, hit) < 0)
                err = 1;
            Py_XDECREF(hit);
        }
        Py_XDECREF(sfast);
        Py_XDECREF(ci);
        Py_XDECREF(ci1);
        if (!err) {
            /* if not by_next or i + 1 >= n: continue */
            int empty = PyDict_CheckExact(by_next) ? PyDict_GET_SIZE(by_next) == 0
                                                   : PyObject_Not(by_next);
            if (empty < 0)
                err = 1;
            else if (!empty && i + 1 < n) {
                PyObject *nt = PyTuple_GET_ITEM(toks, i + 1);
                PyObject *first = PyUnicode_CheckExact(nt) ? PyUnicode_Substring(nt, 0, 1)
                                                            : PySequence_GetSlice(nt, 0, 1);
                PyObject *group = NULL;
                if (first == NULL)
                    err = 1;
                else if (PyDict_CheckExact(by_next)) {
                    group = PyDict_GetItemWithError(by_next, first);
                    if (group != NULL)
                        Py_INCREF(group);
                    else if (PyErr_Occurred())
                        err = 1;
                }
                else {
                    group = PyObject_CallMethod(by_next, "get", "O", first);
                    if (group == NULL)
                        err = 1;
                    else if (group == Py_None)
                        Py_CLEAR(group);
                }
                Py_XDECREF(first);
                if (group != NULL) {
                    if (scan_multis(lex, toks, n, i, group, hits, &seen) < 0)
                        err = 1;
                    Py_DECREF(group);
                }
            }
        }
        Py_DECREF(singles);
        Py_DECREF(by_next);
        if (err)
            goto fail;
    }
    for (Py_ssize_t k = 0; k < filled; k++)
        Py_DECREF(found[k]);
    PyMem_Free(found);
    Py_XDECREF(seen);
    Py_DECREF(cache);
    return hits;
fail:
    if (found != NULL) {
        for (Py_ssize_t k = 0; k < filled; k++)
            Py_DECREF(found[k]);
        PyMem_Free(found);
    }
    Py_XDECREF(seen);
    Py_XDECREF(hits);
    Py_DECREF(cache);
    return NULL;
}

static int
scan_ready(void)
{
    if (HitType == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "tradefacts._native: setup_scan() not called");
        return 0;
    }
    return 1;
}

static PyObject *
scan(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "scan(lexicon, tokens)");
        return NULL;
    }
    if (!scan_ready())
        return NULL;
    PyObject *toks = PySequence_Tuple(args[1]);
    if (toks == NULL)
        return NULL;
    PyObject *hits = scan_impl(args[0], toks);
    Py_DECREF(toks);
    return hits;
}

/* ------------------------------------------------------------------------------------ */
/* analyse                                                                               */

/* Put hit h into the dicts of an index entry: by_start keeps the longest hit per start,
 * by_end the earliest start per end (as SentenceAnalysis._build_index does) */
static int
dicts_add(PyObject *by_start, PyObject *by_end, PyObject *h)
{
    PyObject *s = PyTuple_GET_ITEM(h, 2);
    PyObject *e = PyTuple_GET_ITEM(h, 3);
    for (int side = 0; side < 2; side++) {
        PyObject *d = side ? by_end : by_start;
        PyObject *key = side ? e : s;
        PyObject *cur = PyDict_GetItemWithError(d, key);
        int replace;
        if (cur == NULL || cur == Py_None) {
            if (cur == NULL && PyErr_Occurred())
                return -1;
            replace = 1;
        }
        else {
            Py_INCREF(cur);
            PyObject *ce = item_of(cur, side ? 2 : 3);
            Py_DECREF(cur);
            if (ce == NULL)
                return -1;
            replace = side ? compare(s, ce, Py_LT) : compare(e, ce, Py_GT);
            Py_DECREF(ce);
            if (replace < 0)
                return -1;
        }
        if (replace && PyDict_SetItem(d, key, h) < 0)
            return -1;
    }
    return 0;
}

static int
is_hit(PyObject *h)
{
    if (!PyTuple_Check(h) || PyTuple_GET_SIZE(h) < 4) {
        PyErr_SetString(PyExc_TypeError, "a hit is not a Hit");
        return 0;
    }
    return 1;
}

/* An entry of the index whose dicts are not built yet: (None, None, hits) */
static int
is_lazy(PyObject *entry)
{
    return PyTuple_CheckExact(entry) && PyTuple_GET_SIZE(entry) == 3 &&
           PyTuple_GET_ITEM(entry, 0) == Py_None;
}

/* The full entry (by_start, by_end, hits) of a lazy one, stored back into idx[name]:
 * the dicts are built the first time a stage asks for them (most never are). New ref. */
static PyObject *
materialize(PyObject *idx, PyObject *name, PyObject *entry)
{
    PyObject *all = PyTuple_GET_ITEM(entry, 2);
    PyObject *fast = PySequence_Fast(all, "an index entry's hits are not a sequence");
    if (fast == NULL)
        return NULL;
    PyObject *bs = PyDict_New(), *be = PyDict_New(), *t = NULL;
    if (bs == NULL || be == NULL)
        goto done;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *h = PySequence_Fast_GET_ITEM(fast, k);
        if (!is_hit(h) || dicts_add(bs, be, h) < 0)
            goto done;
    }
    t = PyTuple_Pack(3, bs, be, all);
    if (t != NULL && PyDict_SetItem(idx, name, t) < 0)
        Py_CLEAR(t);
done:
    Py_XDECREF(bs);
    Py_XDECREF(be);
    Py_DECREF(fast);
    return t;
}

/* Register hit h under each name of its category in idx. Unlike
 * SentenceAnalysis._build_index, a new entry is lazy, (None, None, [h]): its dicts wait
 * for materialize(). */
static int
index_hit(PyObject *idx, PyObject *h)
{
    if (!is_hit(h))
        return -1;
    PyObject *cat = PyTuple_GET_ITEM(h, 0);
    /* _NAMES.get(cat) or _names(cat) */
    PyObject *names = PyDict_GetItemWithError(NamesCache, cat);
    int truth = 0;
    if (names != NULL) {
        truth = PyObject_IsTrue(names);
        if (truth < 0)
            return -1;
    }
    else if (PyErr_Occurred())
        return -1;
    if (truth)
        Py_INCREF(names);
    else {
        names = PyObject_CallOneArg(NamesFunc, cat);
        if (names == NULL)
            return -1;
    }
    PyObject *nfast = PySequence_Fast(names, "category names are not a sequence");
    Py_DECREF(names);
    if (nfast == NULL)
        return -1;
    int ret = -1;
    Py_ssize_t nn = PySequence_Fast_GET_SIZE(nfast);
    for (Py_ssize_t k = 0; k < nn; k++) {
        PyObject *name = PySequence_Fast_GET_ITEM(nfast, k);
        PyObject *entry = PyDict_GetItemWithError(idx, name);
        if (entry == NULL || entry == Py_None) {
            if (entry == NULL && PyErr_Occurred())
                goto done;
            /* idx[name] = (None, None, [h]) */
            PyObject *all = PyList_New(1), *t = NULL;
            if (all != NULL) {
                Py_INCREF(h);
                PyList_SET_ITEM(all, 0, h);
                t = PyTuple_Pack(3, Py_None, Py_None, all);
                Py_DECREF(all);
            }
            if (t == NULL)
                goto done;
            int rc = PyDict_SetItem(idx, name, t);
            Py_DECREF(t);
            if (rc < 0)
                goto done;
            continue;
        }
        Py_INCREF(entry);
        PyObject *three[3], *keep;
        if (unpack(entry, 3, three, &keep) < 0) {
            Py_DECREF(entry);
            goto done;
        }
        PyObject *by_start = three[0], *by_end = three[1], *all = three[2];
        int err = 0;
        if (PyList_CheckExact(all) ? PyList_Append(all, h) < 0
                                   : PyObject_CallMethod(all, "append", "O", h) == NULL)
            err = 1;
        if (!err && by_start != Py_None && dicts_add(by_start, by_end, h) < 0)
            err = 1; /* an entry already built (an index passed in filled) */
        Py_XDECREF(keep);
        Py_DECREF(entry);
        if (err)
            goto done;
    }
    ret = 0;
done:
    Py_DECREF(nfast);
    return ret;
}

/* analyse(tokens, lexicon, index) -> (nums, hits, hit_starts), filling index */
static PyObject *
analyse(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "analyse(tokens, lexicon, index)");
        return NULL;
    }
    if (!scan_ready())
        return NULL;
    if (NamesCache == NULL || K_NUM == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "tradefacts._native: setup_index()/setup_tokens() not called");
        return NULL;
    }
    PyObject *lex = args[1], *idx = args[2];
    if (!PyDict_Check(idx)) {
        PyErr_SetString(PyExc_TypeError, "analyse(): the index is not a dict");
        return NULL;
    }
    PyObject *tfast = PySequence_Fast(args[0], "analyse(): tokens is not a sequence");
    if (tfast == NULL)
        return NULL;
    PyObject *nums = NULL, *norms = NULL, *hits = NULL, *starts = NULL, *res = NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(tfast);
    nums = PyList_New(0);
    norms = PyTuple_New(n);
    if (nums == NULL || norms == NULL)
        goto fail;
    /* nums: [i for i, t in enumerate(toks) if t[4] == "num"] */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PySequence_Fast_GET_ITEM(tfast, i);
        PyObject *k = item_of(t, 4);
        if (k == NULL)
            goto fail;
        int isnum = k == K_NUM                                 ? 1
                    : (k == K_WORD || k == K_P || k == K_DATE) ? 0
                                                               : PyObject_RichCompareBool(k, K_NUM, Py_EQ);
        Py_DECREF(k);
        if (isnum < 0)
            goto fail;
        if (isnum) {
            PyObject *pi = PyLong_FromSsize_t(i);
            if (pi == NULL)
                goto fail;
            int rc = PyList_Append(nums, pi);
            Py_DECREF(pi);
            if (rc < 0)
                goto fail;
        }
    }
    /* [t[1] for t in toks] */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = item_of(PySequence_Fast_GET_ITEM(tfast, i), 1);
        if (v == NULL)
            goto fail;
        PyTuple_SET_ITEM(norms, i, v);
    }
    hits = scan_impl(lex, norms);
    if (hits == NULL)
        goto fail;
    starts = PySet_New(NULL);
    if (starts == NULL)
        goto fail;
    Py_ssize_t nh = PyList_GET_SIZE(hits);
    for (Py_ssize_t k = 0; k < nh; k++) {
        PyObject *h = PyList_GET_ITEM(hits, k);
        if (PySet_Add(starts, PyTuple_GET_ITEM(h, 2)) < 0)
            goto fail;
    }
    for (Py_ssize_t k = 0; k < nh; k++)
        if (index_hit(idx, PyList_GET_ITEM(hits, k)) < 0)
            goto fail;
    res = PyTuple_Pack(3, nums, hits, starts);
fail:
    Py_DECREF(tfast);
    Py_XDECREF(nums);
    Py_XDECREF(norms);
    Py_XDECREF(hits);
    Py_XDECREF(starts);
    return res;
}

/* ------------------------------------------------------------------------------------ */
/* breaks, pick                                                                          */

static PyObject *S_weak_marks = NULL;   /* ",;،؛" */
static PyObject *S_strong_marks = NULL; /* ";:" */
static PyObject *EmptyEntry = NULL;     /* tradefacts.extract.analysis._EMPTY */

/* ch is one of the (weak / strong) marks; for a one-character token */
ALWAYS_INLINE int
weak_mark(Py_UCS4 ch)
{
    return ch == ',' || ch == ';' || ch == 0x060C || ch == 0x061B;
}

ALWAYS_INLINE int
strong_mark(Py_UCS4 ch)
{
    return ch == ';' || ch == ':';
}

/* t[0] in marks, with str's substring semantics */
static int
in_marks(PyObject *text, PyObject *marks, int strong)
{
    if (PyUnicode_CheckExact(text) && PyUnicode_GET_LENGTH(text) == 1) {
        Py_UCS4 ch = PyUnicode_READ_CHAR(text, 0);
        return strong ? strong_mark(ch) : weak_mark(ch);
    }
    return PySequence_Contains(marks, text);
}

/* breaks(tokens, cue) -> (weak, strong): SentenceAnalysis._breaks_py in C */
static PyObject *
breaks(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "breaks(tokens, cue)");
        return NULL;
    }
    PyObject *cue = args[1];
    PyObject *tfast = PySequence_Fast(args[0], "breaks(): tokens is not a sequence");
    if (tfast == NULL)
        return NULL;
    PyObject *weak = PyList_New(0), *strong = PyList_New(0), *res = NULL;
    if (weak == NULL || strong == NULL)
        goto done;
    int any_cue = PyDict_CheckExact(cue) ? PyDict_GET_SIZE(cue) != 0 : -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(tfast);
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *pk = NULL;
        int cued = 0, w, s;
        if (any_cue) {
            pk = PyLong_FromSsize_t(k);
            if (pk == NULL)
                goto done;
            cued = PySequence_Contains(cue, pk);
            if (cued < 0) {
                Py_DECREF(pk);
                goto done;
            }
        }
        if (cued) {
            w = s = 1;
        }
        else {
            PyObject *text = item_of(PySequence_Fast_GET_ITEM(tfast, k), 0);
            if (text == NULL) {
                Py_XDECREF(pk);
                goto done;
            }
            w = in_marks(text, S_weak_marks, 0);
            s = w < 0 ? -1 : in_marks(text, S_strong_marks, 1);
            Py_DECREF(text);
            if (s < 0) {
                Py_XDECREF(pk);
                goto done;
            }
        }
        if (w || s) {
            if (pk == NULL && (pk = PyLong_FromSsize_t(k)) == NULL)
                goto done;
            if ((w && PyList_Append(weak, pk) < 0) || (s && PyList_Append(strong, pk) < 0)) {
                Py_DECREF(pk);
                goto done;
            }
        }
        Py_XDECREF(pk);
    }
    res = PyTuple_Pack(2, weak, strong);
done:
    Py_DECREF(tfast);
    Py_XDECREF(weak);
    Py_XDECREF(strong);
    return res;
}

/* pick(index, categories, j) -> [index.get(c, _EMPTY)[j] for c in categories]:
 * SentenceAnalysis.starting (j=0) / ending (j=1) in C */
static PyObject *
pick(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyDict_CheckExact(args[0]) || !PyTuple_CheckExact(args[1]) ||
        !PyLong_CheckExact(args[2])) {
        PyErr_SetString(PyExc_TypeError, "pick(index: dict, categories: tuple, j: int)");
        return NULL;
    }
    if (EmptyEntry == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "tradefacts._native: setup_index() not called");
        return NULL;
    }
    Py_ssize_t j = PyLong_AsSsize_t(args[2]);
    if (j == -1 && PyErr_Occurred())
        return NULL;
    PyObject *idx = args[0], *cats = args[1];
    Py_ssize_t n = PyTuple_GET_SIZE(cats);
    PyObject *res = PyList_New(n);
    if (res == NULL)
        return NULL;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *entry = PyDict_GetItemWithError(idx, PyTuple_GET_ITEM(cats, k));
        if (entry == NULL) {
            if (PyErr_Occurred()) {
                Py_DECREF(res);
                return NULL;
            }
            entry = EmptyEntry;
        }
        PyObject *full = NULL;
        if (j < 2 && is_lazy(entry)) {
            entry = full = materialize(idx, PyTuple_GET_ITEM(cats, k), entry);
            if (entry == NULL) {
                Py_DECREF(res);
                return NULL;
            }
        }
        PyObject *v = PyTuple_CheckExact(entry) && j >= 0 && j < PyTuple_GET_SIZE(entry)
                          ? Py_NewRef(PyTuple_GET_ITEM(entry, j))
                          : PySequence_GetItem(entry, j);
        Py_XDECREF(full);
        if (v == NULL) {
            Py_DECREF(res);
            return NULL;
        }
        PyList_SET_ITEM(res, k, v);
    }
    return res;
}

/* SentenceAnalysis.first_hit / last_hit_ending / hits_of as methods in C: part j of
 * self._cat_index.get(category, _EMPTY), then .get(i) of it (first_hit, last_hit_ending) */
static PyObject *S__cat_index = NULL, *S_get = NULL;

static PyObject *
entry_part(PyObject *self, PyObject *category, Py_ssize_t j)
{
    if (EmptyEntry == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "tradefacts._native: setup_index() not called");
        return NULL;
    }
    PyObject *idx = PyObject_GetAttr(self, S__cat_index);
    if (idx == NULL)
        return NULL;
    PyObject *entry;
    if (PyDict_CheckExact(idx)) {
        entry = PyDict_GetItemWithError(idx, category);
        if (entry == NULL) {
            if (PyErr_Occurred()) {
                Py_DECREF(idx);
                return NULL;
            }
            entry = EmptyEntry;
        }
        if (j < 2 && is_lazy(entry))
            entry = materialize(idx, category, entry);
        else
            Py_INCREF(entry);
        if (entry == NULL) {
            Py_DECREF(idx);
            return NULL;
        }
    }
    else {
        entry = PyObject_CallMethodObjArgs(idx, S_get, category, EmptyEntry, NULL);
        if (entry == NULL) {
            Py_DECREF(idx);
            return NULL;
        }
    }
    Py_DECREF(idx);
    PyObject *v = PyTuple_CheckExact(entry) && j < PyTuple_GET_SIZE(entry)
                      ? Py_NewRef(PyTuple_GET_ITEM(entry, j))
                      : PySequence_GetItem(entry, j);
    Py_DECREF(entry);
    return v;
}

static PyObject *
part_get(PyObject *self, PyObject *const *args, Py_ssize_t nargs, Py_ssize_t j,
         const char *usage)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, usage);
        return NULL;
    }
    PyObject *d = entry_part(self, args[0], j);
    if (d == NULL)
        return NULL;
    PyObject *h;
    if (PyDict_CheckExact(d)) {
        h = PyDict_GetItemWithError(d, args[1]);
        if (h == NULL && PyErr_Occurred()) {
            Py_DECREF(d);
            return NULL;
        }
        h = Py_NewRef(h == NULL ? Py_None : h);
    }
    else
        h = PyObject_CallMethodObjArgs(d, S_get, args[1], NULL);
    Py_DECREF(d);
    return h;
}

/* entry(index, category) -> index.get(category, _EMPTY), its dicts built: what
 * SentenceAnalysis.index returns */
static PyObject *
entry(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyDict_CheckExact(args[0])) {
        PyErr_SetString(PyExc_TypeError, "entry(index: dict, category)");
        return NULL;
    }
    if (EmptyEntry == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "tradefacts._native: setup_index() not called");
        return NULL;
    }
    PyObject *e = PyDict_GetItemWithError(args[0], args[1]);
    if (e == NULL)
        return PyErr_Occurred() ? NULL : Py_NewRef(EmptyEntry);
    return is_lazy(e) ? materialize(args[0], args[1], e) : Py_NewRef(e);
}

static PyObject *
m_first_hit(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    return part_get(self, args, nargs, 0, "first_hit(category, i)");
}

static PyObject *
m_last_hit_ending(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    return part_get(self, args, nargs, 1, "last_hit_ending(category, i)");
}

static PyObject *
m_hits_of(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 1) {
        PyErr_SetString(PyExc_TypeError, "hits_of(category)");
        return NULL;
    }
    return entry_part(self, args[0], 2);
}

static PyMethodDef index_method_defs[] = {
    {"first_hit", (PyCFunction)(void (*)(void))m_first_hit, METH_FASTCALL,
     "The longest hit of category (or a sub-category of it) starting at token i."},
    {"last_hit_ending", (PyCFunction)(void (*)(void))m_last_hit_ending, METH_FASTCALL,
     "The longest hit of category ending exactly at token i."},
    {"hits_of", (PyCFunction)(void (*)(void))m_hits_of, METH_FASTCALL,
     "The hits of category and its sub-categories."},
    {NULL, NULL, 0, NULL},
};

/* index_methods() -> {name: method descriptor}: first_hit, last_hit_ending, hits_of for
 * SentenceAnalysis (descriptors of object, so any instance with _cat_index binds them) */
static PyObject *
index_methods(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored))
{
    PyObject *res = PyDict_New();
    if (res == NULL)
        return NULL;
    for (PyMethodDef *d = index_method_defs; d->ml_name != NULL; d++) {
        PyObject *descr = PyDescr_NewMethod(&PyBaseObject_Type, d);
        if (descr == NULL || PyDict_SetItemString(res, d->ml_name, descr) < 0) {
            Py_XDECREF(descr);
            Py_DECREF(res);
            return NULL;
        }
        Py_DECREF(descr);
    }
    return res;
}

/* ------------------------------------------------------------------------------------ */
/* split_sentences                                                                       */

static PyTypeObject *SentenceType = NULL; /* tradefacts.extract.tokens.Sentence */
static PyObject *IsTitleKw = NULL;        /* ("is_title",) */

/* norm(s): the cache first, as norm() itself looks */
static PyObject *
norm_of(PyObject *s)
{
    PyObject *v = PyDict_GetItemWithError(NormCache, s);
    if (v != NULL && v != Py_None) {
        Py_INCREF(v);
        return v;
    }
    if (v == NULL && PyErr_Occurred())
        return NULL;
    return PyObject_CallOneArg(NormFunc, s);
}

/* str.isupper() of a word */
ALWAYS_INLINE int
is_upper_word(const int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    int cased = 0;
    for (Py_ssize_t k = a; k < b; k++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, k);
        if (Py_UNICODE_ISLOWER(ch) || Py_UNICODE_ISTITLE(ch))
            return 0;
        if (!cased && Py_UNICODE_ISUPPER(ch))
            cased = 1;
    }
    return cased;
}

/* The lines, sentence ends and sentences of tokens.split_sentences_py, whose regular
 * expressions come out as follows (sre semantics, \s = Py_UNICODE_ISSPACE):
 *
 * HEADER_RE  \A\ufeff?[ \t]*date[ \t]+(\d{4}-\d{2}(?:-\d{2})?)\b[ \t]*  every part is
 *            decided at once, except the day: it is taken when \b holds after it, else
 *            left (then \b holds before its "-").
 * _LINE_RE   [^\n\r]+  maximal runs: what lies between two lines is only \n and \r.
 * _END_RE    [.!?…]+[»"”')\]]*(?=\s)  the whole run of stops and of closers, then white
 *            space; when that fails, no match starts inside the run either.
 * _NEXT_WORD_RE  \s*[«"“(]?([^\W\d_]+)  spaces, an opener if any, then letters.
 * _END_OF_LINE_RE  [.!?…:»"”]\s*$ on line[-8:]  the last non-space character of it.
 */
ALWAYS_INLINE PyObject *
split_kind(const int kind, const void *data, Py_ssize_t n, PyObject *text,
           PyObject *abbreviations, PyObject *can_end)
{
#define RD(k) PyUnicode_READ(kind, data, (k))
#define SP(k) (cls(RD(k)) & C_SPACE)
#define LETTER(k) (cls(RD(k)) & C_LETTER)
#define DEC(k) ((k) < n && (cls(RD(k)) & C_DEC))
#define CH(k, c) ((k) < n && RD(k) == (Py_UCS4)(c))
#define BLANK(k) (CH(k, ' ') || CH(k, '\t'))
#define IS_STOP(c) ((c) == '.' || (c) == '!' || (c) == '?' || (c) == 0x2026)
#define IS_CLOSER(c)                                                                        \
    ((c) == 0xbb || (c) == '"' || (c) == 0x201d || (c) == '\'' || (c) == ')' || (c) == ']')
#define IS_OPENER(c) ((c) == 0xab || (c) == '"' || (c) == 0x201c || (c) == '(')
#define IS_EOL(c) (IS_STOP(c) || (c) == ':' || (c) == 0xbb || (c) == '"' || (c) == 0x201d)
    /* HEADER_RE */
    Py_ssize_t body = 0;
    {
        Py_ssize_t p = CH(0, 0xfeff) ? 1 : 0;
        while (BLANK(p))
            p++;
        if (CH(p, 'd') && CH(p + 1, 'a') && CH(p + 2, 't') && CH(p + 3, 'e') && BLANK(p + 4)) {
            p += 5;
            while (BLANK(p))
                p++;
            if (DEC(p) && DEC(p + 1) && DEC(p + 2) && DEC(p + 3) && CH(p + 4, '-') &&
                DEC(p + 5) && DEC(p + 6)) {
                p += 7;
#define BOUNDARY(k) (!((k) < n && (cls(RD(k)) & C_WORD))) /* after a digit */
                int ok = 1;
                if (CH(p, '-') && DEC(p + 1) && DEC(p + 2) && BOUNDARY(p + 3))
                    p += 3;
                else if (!BOUNDARY(p))
                    ok = 0;
#undef BOUNDARY
                if (ok) {
                    while (BLANK(p))
                        p++;
                    body = p;
                }
            }
        }
    }
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    Py_ssize_t *cuts = NULL, ncap = 0;
    Py_ssize_t para = 0, pos = body, i = body;
    int first = 1;
    for (;;) {
        while (i < n && (RD(i) == '\n' || RD(i) == '\r'))
            i++;
        if (i >= n)
            break;
        Py_ssize_t ls = i;
        while (i < n && RD(i) != '\n' && RD(i) != '\r')
            i++;
        Py_ssize_t le = i;
        if (ls > pos) /* the gap holds line breaks only */
            para++;
        pos = le;
        Py_ssize_t k = ls;
        while (k < le && SP(k))
            k++;
        if (k == le) /* not line.strip() */
            continue;
        Py_ssize_t nc = 0;
#define PUSH(v)                                                                             \
    do {                                                                                    \
        if (nc == ncap) {                                                                   \
            Py_ssize_t cap = ncap ? 2 * ncap : 16;                                          \
            Py_ssize_t *nb = PyMem_Realloc(cuts, cap * sizeof(Py_ssize_t));                 \
            if (nb == NULL) {                                                               \
                PyErr_NoMemory();                                                           \
                goto fail;                                                                  \
            }                                                                               \
            cuts = nb;                                                                      \
            ncap = cap;                                                                     \
        }                                                                                   \
        cuts[nc++] = (v);                                                                   \
    } while (0)
        PUSH(ls);
        Py_ssize_t q = ls;
        while (q < le) {
            if (!IS_STOP(RD(q))) {
                q++;
                continue;
            }
            Py_ssize_t p = q;
            while (q < le && IS_STOP(RD(q)))
                q++;
            Py_ssize_t r = q;
            while (r < le && IS_CLOSER(RD(r)))
                r++;
            if (!(r < le && SP(r)))
                continue; /* no sentence end in this run: search on after it */
            int cut = 1;
            if (q - p == 1 && RD(p) == '.') {
                Py_ssize_t w0 = p - 40 > ls ? p - 40 : ls; /* before = line[w0:p] */
                Py_ssize_t w = p;
                while (w > w0 && LETTER(w - 1))
                    w--;
                if (w < p) {
                    PyObject *word = PyUnicode_Substring(text, w, p);
                    if (word == NULL)
                        goto fail;
                    PyObject *nw = norm_of(word);
                    Py_DECREF(word);
                    if (nw == NULL)
                        goto fail;
                    int abbr = PySequence_Contains(abbreviations, nw);
                    int closing = 0;
                    if (abbr > 0) {
                        closing = PySequence_Contains(can_end, nw);
                        if (closing > 0) {
                            Py_ssize_t t = r;
                            while (t < le && SP(t))
                                t++;
                            if (t < le && IS_OPENER(RD(t)))
                                t++;
                            closing = 0;
                            if (t < le && LETTER(t)) {
                                Py_ssize_t u = t + 1;
                                while (u < le && LETTER(u))
                                    u++;
                                closing = Py_UNICODE_ISUPPER(RD(t)) &&
                                          !is_upper_word(kind, data, t, u);
                            }
                        }
                    }
                    Py_DECREF(nw);
                    if (abbr < 0 || closing < 0)
                        goto fail;
                    if (abbr && !closing)
                        cut = 0;
                }
                if (cut && p > w0) {
                    /* _is_initial(before) */
                    Py_UCS4 c1 = RD(p - 1);
                    if (Py_UNICODE_ISALPHA(c1) && Py_UNICODE_ISUPPER(c1)) {
                        if (p - w0 == 1)
                            cut = 0;
                        else {
                            Py_UCS4 c2 = RD(p - 2);
                            if (c2 == ' ' || c2 == '\t' || c2 == '(' || c2 == '.')
                                cut = 0;
                        }
                    }
                }
            }
            if (cut)
                PUSH(r);
            q = r;
        }
        PUSH(le);
        int headline = 0;
        if (first && PyList_GET_SIZE(out) < 3) {
            Py_ssize_t t0 = le - 8 > ls ? le - 8 : ls, t = le;
            while (t > t0 && SP(t - 1))
                t--;
            headline = !(t > t0 && IS_EOL(RD(t - 1)));
        }
        for (Py_ssize_t c = 0; c + 1 < nc; c++) {
            Py_ssize_t a = cuts[c], b = cuts[c + 1];
            Py_ssize_t ss = a, se = b;
            while (ss < b && SP(ss))
                ss++;
            while (se > a && SP(se - 1))
                se--;
            if (ss == b) /* all white space: seg.lstrip() is empty */
                continue;
            if (se <= ss)
                continue;
            PyObject *args[6];
            args[0] = offset_int(ss);
            args[1] = offset_int(se);
            args[2] = PyUnicode_Substring(text, ss, se);
            args[3] = PyLong_FromSsize_t(para);
            args[4] = PyLong_FromSsize_t(PyList_GET_SIZE(out));
            args[5] = headline ? Py_True : Py_False;
            PyObject *sent = NULL;
            if (args[0] && args[1] && args[2] && args[3] && args[4])
                sent = PyObject_Vectorcall((PyObject *)SentenceType, args, 5, IsTitleKw);
            for (int q2 = 0; q2 < 5; q2++)
                Py_XDECREF(args[q2]);
            if (sent == NULL)
                goto fail;
            int rc = PyList_Append(out, sent);
            Py_DECREF(sent);
            if (rc < 0)
                goto fail;
        }
        first = headline;
#undef PUSH
    }
    PyMem_Free(cuts);
    return out;
fail:
    PyMem_Free(cuts);
    Py_DECREF(out);
    return NULL;
#undef RD
#undef SP
#undef LETTER
#undef DEC
#undef CH
#undef BLANK
#undef IS_STOP
#undef IS_CLOSER
#undef IS_OPENER
#undef IS_EOL
}

/* split_sentences(text, abbreviations, can_end) -> list[Sentence] */
static PyObject *
split_sentences(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (SentenceType == NULL || NormCache == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "tradefacts._native: setup_tokens()/setup_sentences() not called");
        return NULL;
    }
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "split_sentences(text, abbreviations, can_end)");
        return NULL;
    }
    PyObject *text = args[0];
    if (str_arg(text, "split_sentences") < 0)
        return NULL;
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        return split_kind(PyUnicode_1BYTE_KIND, data, n, text, args[1], args[2]);
    case PyUnicode_2BYTE_KIND:
        return split_kind(PyUnicode_2BYTE_KIND, data, n, text, args[1], args[2]);
    default:
        return split_kind(PyUnicode_4BYTE_KIND, data, n, text, args[1], args[2]);
    }
}

/* setup_sentences(Sentence) */
static PyObject *
setup_sentences(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 1 || !PyType_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "setup_sentences(Sentence)");
        return NULL;
    }
    if (IsTitleKw == NULL) {
        IsTitleKw = Py_BuildValue("(s)", "is_title");
        if (IsTitleKw == NULL)
            return NULL;
    }
    Py_INCREF(args[0]);
    Py_XSETREF(SentenceType, (PyTypeObject *)args[0]);
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------------------------ */
/* setup                                                                                 */

static int
check_tuple_type(PyObject *tp, const char *what)
{
    if (!PyType_Check(tp) || !PyType_IsSubtype((PyTypeObject *)tp, &PyTuple_Type)) {
        PyErr_Format(PyExc_TypeError, "%s must be a tuple subclass", what);
        return 0;
    }
    return 1;
}

/* setup_tokens(Token, norm_cache, norm, apostrophes, kinds=("word", "date", "num", "p")) */
static PyObject *
setup_tokens(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError,
                        "setup_tokens(Token, norm_cache, norm, apostrophes, kinds)");
        return NULL;
    }
    if (!check_tuple_type(args[0], "Token"))
        return NULL;
    if (!PyDict_Check(args[1]) || !PyCallable_Check(args[2]) || !PyUnicode_Check(args[3]) ||
        !PyTuple_Check(args[4]) || PyTuple_GET_SIZE(args[4]) != 4) {
        PyErr_SetString(PyExc_TypeError, "setup_tokens(): wrong argument types");
        return NULL;
    }
    PyObject *ap = args[3];
    if (PyUnicode_READY(ap) < 0)
        return NULL;
    if (PyUnicode_GET_LENGTH(ap) > MAX_APOS) {
        PyErr_SetString(PyExc_ValueError, "setup_tokens(): too many apostrophes");
        return NULL;
    }
    for (Py_ssize_t k = 0; k < 4; k++)
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(args[4], k))) {
            PyErr_SetString(PyExc_TypeError, "setup_tokens(): kinds must be str");
            return NULL;
        }
    n_apos = (int)PyUnicode_GET_LENGTH(ap);
    for (int k = 0; k < n_apos; k++)
        apos[k] = PyUnicode_READ_CHAR(ap, k);
    build_table();
    Py_INCREF(args[0]);
    Py_XSETREF(TokenType, (PyTypeObject *)args[0]);
    Py_XSETREF(NormCache, Py_NewRef(args[1]));
    Py_XSETREF(NormFunc, Py_NewRef(args[2]));
    Py_XSETREF(K_WORD, Py_NewRef(PyTuple_GET_ITEM(args[4], 0)));
    Py_XSETREF(K_DATE, Py_NewRef(PyTuple_GET_ITEM(args[4], 1)));
    Py_XSETREF(K_NUM, Py_NewRef(PyTuple_GET_ITEM(args[4], 2)));
    Py_XSETREF(K_P, Py_NewRef(PyTuple_GET_ITEM(args[4], 3)));
    Py_RETURN_NONE;
}

/* setup_scan(Hit, nothing) */
static PyObject *
setup_scan(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "setup_scan(Hit, nothing)");
        return NULL;
    }
    if (!check_tuple_type(args[0], "Hit"))
        return NULL;
    Py_INCREF(args[0]);
    Py_XSETREF(HitType, (PyTypeObject *)args[0]);
    Py_XSETREF(Nothing, Py_NewRef(args[1]));
    Py_RETURN_NONE;
}

/* setup_index(names_cache, names[, empty]) */
static PyObject *
setup_index(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if ((nargs != 2 && nargs != 3) || !PyDict_Check(args[0]) || !PyCallable_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError,
                        "setup_index(names_cache: dict, names: callable[, empty])");
        return NULL;
    }
    Py_XSETREF(NamesCache, Py_NewRef(args[0]));
    Py_XSETREF(NamesFunc, Py_NewRef(args[1]));
    if (nargs == 3)
        Py_XSETREF(EmptyEntry, Py_NewRef(args[2]));
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------------------------ */

static PyMethodDef methods[] = {
    {"tokenize", (PyCFunction)(void (*)(void))tokenize, METH_FASTCALL,
     "tokenize(text, offset=0) -> list[Token]: tradefacts.extract.tokens.tokenize in C."},
    {"scan", (PyCFunction)(void (*)(void))scan, METH_FASTCALL,
     "scan(lexicon, tokens) -> list[Hit]: Lexicon.scan in C."},
    {"analyse", (PyCFunction)(void (*)(void))analyse, METH_FASTCALL,
     "analyse(tokens, lexicon, index) -> (nums, hits, hit_starts), filling index: "
     "SentenceAnalysis.__init__ in C."},
    {"breaks", (PyCFunction)(void (*)(void))breaks, METH_FASTCALL,
     "breaks(tokens, cue) -> (weak, strong): SentenceAnalysis.breaks in C."},
    {"pick", (PyCFunction)(void (*)(void))pick, METH_FASTCALL,
     "pick(index, categories, j) -> [index.get(c, empty)[j] for c in categories]: "
     "SentenceAnalysis.starting / ending in C."},
    {"entry", (PyCFunction)(void (*)(void))entry, METH_FASTCALL,
     "entry(index, category) -> (by_start, by_start, hits) of category, built if lazy: "
     "SentenceAnalysis.index in C."},
    {"index_methods", (PyCFunction)index_methods, METH_NOARGS,
     "index_methods() -> {name: descriptor}: SentenceAnalysis.first_hit, last_hit_ending "
     "and hits_of in C."},
    {"split_sentences", (PyCFunction)(void (*)(void))split_sentences, METH_FASTCALL,
     "split_sentences(text, abbreviations, can_end) -> list[Sentence]: "
     "tradefacts.extract.tokens.split_sentences in C."},
    {"setup_sentences", (PyCFunction)(void (*)(void))setup_sentences, METH_FASTCALL,
     "setup_sentences(Sentence): hand over what split_sentences needs."},
    {"setup_tokens", (PyCFunction)(void (*)(void))setup_tokens, METH_FASTCALL,
     "setup_tokens(Token, norm_cache, norm, apostrophes, kinds): hand over what tokenize "
     "needs."},
    {"setup_scan", (PyCFunction)(void (*)(void))setup_scan, METH_FASTCALL,
     "setup_scan(Hit, nothing): hand over what scan needs."},
    {"setup_index", (PyCFunction)(void (*)(void))setup_index, METH_FASTCALL,
     "setup_index(names_cache, names): hand over what analyse needs."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT,
    "tradefacts._native",
    "The extractor's front end (tokenize, lexicon scan, hit index) in C; the pure-Python "
    "code in tradefacts.extract.tokens, tradefacts.lang.lexicon and "
    "tradefacts.extract.analysis is the reference it must equal.",
    -1,
    methods,
};

#define INTERN(var, s)                                                                      \
    do {                                                                                    \
        var = PyUnicode_InternFromString(s);                                                \
        if (var == NULL)                                                                    \
            return NULL;                                                                    \
    } while (0)

PyMODINIT_FUNC
PyInit__native(void)
{
    INTERN(S_cand_cache, "_cand_cache");
    INTERN(S_candidates, "candidates");
    INTERN(S_word_matches, "word_matches");
    INTERN(S_case_of, "case_of");
    INTERN(S_words, "words");
    INTERN(S_lang, "lang");
    INTERN(S_category, "category");
    INTERN(S_payload, "payload");
    INTERN(S_empty, "");
    INTERN(S_languages, "languages");
    INTERN(S__cat_index, "_cat_index");
    INTERN(S_get, "get");
    S_weak_marks = PyUnicode_FromString(",;\xd8\x8c\xd8\x9b"); /* ",;،؛" */
    S_strong_marks = PyUnicode_FromString(";:");
    if (S_weak_marks == NULL || S_strong_marks == NULL)
        return NULL;
    PyObject *m = PyModule_Create(&moduledef);
    if (m == NULL)
        return NULL;
    if (PyModule_AddIntConstant(m, "API_VERSION", API_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
