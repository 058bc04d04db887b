// OpenSSL 3 headers plus inline wrappers for the macros Swift cannot import.
#ifndef SWITCHYARD_COPENSSL_SHIM_H
#define SWITCHYARD_COPENSSL_SHIM_H

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>

static inline long COpenSSL_SSL_CTX_set_mode(SSL_CTX *_Nonnull ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

static inline int COpenSSL_SSL_CTX_set_min_proto_version(SSL_CTX *_Nonnull ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static inline int COpenSSL_SSL_CTX_set_max_proto_version(SSL_CTX *_Nonnull ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}

static inline uint64_t COpenSSL_SSL_CTX_set_options(SSL_CTX *_Nonnull ctx, uint64_t options) {
    return SSL_CTX_set_options(ctx, options);
}

static inline int COpenSSL_SSL_CTX_set_tlsext_servername_callback(
    SSL_CTX *_Nonnull ctx, int (*_Nullable callback)(SSL *_Nonnull, int *_Nonnull, void *_Nullable)) {
    return (int)SSL_CTX_set_tlsext_servername_callback(ctx, callback);
}

static inline int COpenSSL_SSL_CTX_set_tlsext_servername_arg(SSL_CTX *_Nonnull ctx, void *_Nullable arg) {
    return (int)SSL_CTX_set_tlsext_servername_arg(ctx, arg);
}

static inline int COpenSSL_SSL_set_tlsext_host_name(SSL *_Nonnull ssl, const char *_Nonnull name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

static inline long COpenSSL_SSL_set_mode(SSL *_Nonnull ssl, long mode) {
    return SSL_set_mode(ssl, mode);
}

static inline long COpenSSL_SSL_get_mode(SSL *_Nonnull ssl) {
    return SSL_get_mode(ssl);
}

static inline int COpenSSL_SSL_CTX_set_session_cache_mode(SSL_CTX *_Nonnull ctx, long mode) {
    return (int)SSL_CTX_set_session_cache_mode(ctx, mode);
}

static inline int COpenSSL_BIO_get_mem_data(BIO *_Nonnull bio, char *_Nullable *_Nonnull data) {
    return (int)BIO_get_mem_data(bio, data);
}

static inline long COpenSSL_SSL_OP_NO_RENEGOTIATION(void) { return (long)SSL_OP_NO_RENEGOTIATION; }
static inline long COpenSSL_SSL_OP_NO_COMPRESSION(void) { return (long)SSL_OP_NO_COMPRESSION; }
static inline long COpenSSL_SSL_OP_CIPHER_SERVER_PREFERENCE(void) { return (long)SSL_OP_CIPHER_SERVER_PREFERENCE; }
static inline long COpenSSL_SSL_MODE_RELEASE_BUFFERS(void) { return SSL_MODE_RELEASE_BUFFERS; }
static inline long COpenSSL_SSL_MODE_ENABLE_PARTIAL_WRITE(void) { return SSL_MODE_ENABLE_PARTIAL_WRITE; }
static inline long COpenSSL_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER(void) { return SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER; }

static inline int COpenSSL_sk_GENERAL_NAME_num(const GENERAL_NAMES *_Nonnull names) {
    return sk_GENERAL_NAME_num(names);
}

static inline GENERAL_NAME *_Nullable COpenSSL_sk_GENERAL_NAME_value(const GENERAL_NAMES *_Nonnull names, int index) {
    return sk_GENERAL_NAME_value(names, index);
}

static inline int COpenSSL_MBSTRING_UTF8(void) { return MBSTRING_UTF8; }

#endif
