// HDF5's type and property "constants" are macros that expand to function
// calls or globals Swift cannot import; these wrappers expose them.
#ifndef SEGAD_CHDF5_SHIM_H
#define SEGAD_CHDF5_SHIM_H
#include <hdf5.h>

static inline hid_t segad_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t segad_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t segad_h5t_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t segad_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t segad_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t segad_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t segad_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t segad_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t segad_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t segad_h5p_file_create(void) { return H5P_FILE_CREATE; }
static inline hid_t segad_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t segad_h5s_all(void) { return H5S_ALL; }
static inline hid_t segad_h5e_default(void) { return H5E_DEFAULT; }
static inline unsigned segad_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned segad_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned segad_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned segad_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline hsize_t segad_h5s_unlimited(void) { return H5S_UNLIMITED; }
static inline size_t segad_h5t_variable(void) { return H5T_VARIABLE; }

static inline hid_t segad_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t segad_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t segad_h5t_std_i8le(void) { return H5T_STD_I8LE; }
static inline hid_t segad_h5t_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t segad_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t segad_h5p_dataset_access(void) { return H5P_DATASET_ACCESS; }
static inline hid_t segad_h5p_link_create(void) { return H5P_LINK_CREATE; }

/// Switches off HDF5's automatic printing of error stacks for the calling
/// thread, once per thread. This build of HDF5 keeps one error stack (and its
/// printing setting) per thread, so a process-wide "once" would silence only
/// the first thread that used it. Callers then read the stack themselves.
static inline void segad_h5e_quiet_this_thread(void) {
    static _Thread_local int quiet = 0;
    if (!quiet) {
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        quiet = 1;
    }
}

/// The type of link `name` in `loc` (H5L_TYPE_HARD, H5L_TYPE_SOFT,
/// H5L_TYPE_EXTERNAL, …), or -1 when it cannot be read. H5Lget_info is a
/// function in 1.10 and a macro over H5Lget_info2 in 1.12+; both fill a
/// struct whose `type` is the link type (docs/reliability.md, one artifact gate).
static inline int segad_h5l_type(hid_t loc, const char *name) {
    H5L_info_t info;
    if (H5Lget_info(loc, name, &info, H5P_DEFAULT) < 0) return -1;
    return (int)info.type;
}

/// The id of filter `index` of a dataset creation list (H5Z_FILTER_…), or a
/// negative value when it cannot be read; the filter's parameters are not
/// needed to decide whether the project wrote it.
static inline int segad_h5p_filter_id(hid_t plist, unsigned index) {
    unsigned flags = 0, config = 0;
    size_t count = 0;
    return (int)H5Pget_filter2(plist, index, &flags, &count, NULL, 0, NULL, &config);
}

static inline int segad_h5z_filter_fletcher32(void) { return H5Z_FILTER_FLETCHER32; }
static inline haddr_t segad_haddr_undef(void) { return HADDR_UNDEF; }

#endif
