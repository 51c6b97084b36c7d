/* The per-character loop of pipeline/read.py's PDF reader in C: one text page's characters, boxes and sizes.
 *
 * Built by `make setup` (cc -O2 -shared -fPIC) and loaded with ctypes; read.py has the same loop in Python
 * as the fallback, and tests/test_read_native.py checks that both give identical pages. pdfium's functions
 * are passed in as pointers (taken from pypdfium2), so nothing here links against pdfium or even libc.
 * The caller holds pipeline.pdfium.PDFIUM_LOCK: pdfium is not thread-safe.
 */

typedef int (*get_box_fn)(void *page, int index, double *left, double *right, double *bottom, double *top);
typedef double (*get_size_fn)(void *page, int index);
typedef int (*is_generated_fn)(void *page, int index);

/* The calling convention below; read.py refuses a library built from another one (a stale .so). */
int solieu_pdfchars_abi(void) { return 1; }

/* Flags per kept character, as read.py's _GENERATED and _HAS_BOX. */
#define GENERATED 1
#define HAS_BOX 2

/* Read units[0..n) (FPDFText_GetText's UTF-16 units, one per char index) of text page tp.
 *
 * Characters 0 and 0xFFFE are skipped; the k-th kept one gets codes[k] (2, pdfium's line-end hyphen, becomes
 * a soft hyphen; a lone surrogate U+FFFD), box[4k..4k+3] = left, top, right, bottom measured from the page
 * top (height - y), size[k] (0: none: spaces and generated line breaks have none) and flags[k].
 * Returns how many were kept.
 */
int solieu_page_chars(void *tp, const unsigned short *units, int n, double height, void *box_ptr,
                      void *size_ptr, void *generated_ptr, unsigned int *codes, double *box, double *size,
                      unsigned char *flags) {
    get_box_fn get_box = (get_box_fn)box_ptr;
    get_size_fn get_size = (get_size_fn)size_ptr;
    is_generated_fn is_generated = (is_generated_fn)generated_ptr;
    int k = 0;
    for (int i = 0; i < n; i++) {
        unsigned int code = units[i];
        if (code == 0 || code == 0xFFFE)
            continue;
        codes[k] = code == 2 ? 0xAD : (code >= 0xD800 && code < 0xE000) ? 0xFFFD : code;
        box[4 * k] = box[4 * k + 1] = box[4 * k + 2] = box[4 * k + 3] = 0.0;
        size[k] = 0.0;
        flags[k] = 0;
        if ((code == 32 || code == 10 || code == 13) && is_generated(tp, i) == 1) {
            flags[k] = GENERATED;
            k++;
            continue;
        }
        double left, right, bottom, top;
        if (get_box(tp, i, &left, &right, &bottom, &top)) {
            box[4 * k] = left;
            box[4 * k + 1] = height - top;
            box[4 * k + 2] = right;
            box[4 * k + 3] = height - bottom;
            flags[k] = HAS_BOX;
        }
        if (code != 32)
            size[k] = get_size(tp, i);
        k++;
    }
    return k;
}
