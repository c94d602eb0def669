#ifndef SEGAD_CXGBOOST_SHIM_H
#define SEGAD_CXGBOOST_SHIM_H
#include <xgboost/c_api.h>
#endif
