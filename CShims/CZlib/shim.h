// zlib headers plus inline wrappers for the init macros Swift cannot import.
#ifndef SWITCHYARD_CZLIB_SHIM_H
#define SWITCHYARD_CZLIB_SHIM_H

#include <zlib.h>

static inline int CZlib_deflateInit2(z_streamp _Nonnull stream, int level, int method, int windowBits,
                                     int memLevel, int strategy) {
    return deflateInit2(stream, level, method, windowBits, memLevel, strategy);
}

static inline int CZlib_inflateInit2(z_streamp _Nonnull stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

#endif
