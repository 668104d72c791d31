// C trampolines for the log and audit callbacks: the engine calls these,
// and they call the exported Go functions with the handle kept in ctx.
#include "_cgo_export.h"

void dyncredsGoLogTrampoline(void* ctx, dyncreds_log_level level, const char* message) {
  goDyncredsLog(*(uintptr_t*)ctx, (int)level, (char*)message);
}

int dyncredsGoAuditTrampoline(void* ctx, const char* event_json) {
  return goDyncredsAudit(*(uintptr_t*)ctx, (char*)event_json);
}
