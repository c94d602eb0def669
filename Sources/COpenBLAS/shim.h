#ifndef SEGAD_COPENBLAS_SHIM_H
#define SEGAD_COPENBLAS_SHIM_H
#include <cblas.h>
// LAPACK (shipped inside libopenblas): Cholesky factorization and solve.
// Debian's OpenBLAS installs no lapacke.h, so the Fortran symbols are declared here.
void spotrf_(const char *uplo, const int *n, float *a, const int *lda, int *info);
void spotrs_(const char *uplo, const int *n, const int *nrhs, const float *a,
             const int *lda, float *b, const int *ldb, int *info);
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
void dtrtrs_(const char *uplo, const char *trans, const char *diag, const int *n,
             const int *nrhs, const double *a, const int *lda, double *b,
             const int *ldb, int *info);
// Symmetric eigendecomposition (DFM's principal components).
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
            double *w, double *work, const int *lwork, int *info);
static inline void segad_openblas_set_threads(int n) { openblas_set_num_threads(n); }
#endif
