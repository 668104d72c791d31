// export.h: the symbol-visibility macro for libdyncreds' public API.
//
// The library is built with hidden visibility; only declarations marked
// DYNCREDS_EXPORT are part of the shared library's dynamic symbol table.
#ifndef DYNCREDS_EXPORT_H_
#define DYNCREDS_EXPORT_H_

#if defined(DYNCREDS_STATIC_DEFINE)
#define DYNCREDS_EXPORT
#elif defined(_WIN32)
#if defined(DYNCREDS_BUILDING_LIBRARY)
#define DYNCREDS_EXPORT __declspec(dllexport)
#else
#define DYNCREDS_EXPORT __declspec(dllimport)
#endif
#else
#if defined(DYNCREDS_BUILDING_LIBRARY)
#define DYNCREDS_EXPORT __attribute__((visibility("default")))
#else
#define DYNCREDS_EXPORT
#endif
#endif

// For a class nested in an exported one (a pimpl's Impl), which would
// otherwise be exported with it and called through the PLT.
#if defined(__GNUC__) && !defined(_WIN32)
#define DYNCREDS_NO_EXPORT __attribute__((visibility("hidden")))
#else
#define DYNCREDS_NO_EXPORT
#endif

#endif  // DYNCREDS_EXPORT_H_
