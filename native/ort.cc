// ONNX Runtime sessions through ORT's C API, for graphs whose every input and output lives in a
// caller-owned typed array. onnxruntime-node writes a preallocated output into the caller's
// buffer and then copies it once more into a fresh JavaScript buffer that it returns (measured:
// about 20 ms and the buffer's size in extra memory per 16 MB output; a training step's
// gradients are hundreds of MB). Here inputs and outputs are wrapped where they are (no copy in
// either direction), and each run goes to a libuv worker thread so the event loop keeps turning.
//
// The ORT library is the one onnxruntime-node ships (its path is passed to init); the C API is
// a table of function pointers whose entries keep their positions across releases (new ones are
// only appended), so the few used here are called by position. init checks the table on a
// status round trip before anything else is used.
#include <node_api.h>
#include <dlfcn.h>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct OrtStatus;
struct OrtEnv;
struct OrtSession;
struct OrtSessionOptions;
struct OrtValue;
struct OrtMemoryInfo;
struct OrtAllocator;
struct OrtArenaCfg;
using Status = OrtStatus*;

// Positions in the OrtApi table (ORT C API, versions 1 and later).
enum Slot : int {
  kCreateStatus = 0,
  kGetErrorCode = 1,
  kGetErrorMessage = 2,
  kCreateEnv = 3,
  kCreateSessionFromArray = 8,
  kRun = 9,
  kCreateSessionOptions = 10,
  kSetSessionExecutionMode = 13,
  kEnableProfiling = 14,
  kDisableMemPattern = 17,
  kDisableCpuMemArena = 19,
  kSetSessionGraphOptimizationLevel = 23,
  kSetIntraOpNumThreads = 24,
  kSetInterOpNumThreads = 25,
  kCreateTensorWithDataAsOrtValue = 49,
  kCreateCpuMemoryInfo = 69,
  kAllocatorFree = 76,
  kGetAllocatorWithDefaultOptions = 78,
  kReleaseEnv = 92,
  kReleaseStatus = 93,
  kReleaseMemoryInfo = 94,
  kReleaseSession = 95,
  kReleaseValue = 96,
  kReleaseSessionOptions = 100,
  kSessionEndProfiling = 110,
  kAddSessionConfigEntry = 130,
  kCreateAndRegisterAllocator = 144,
  kReleaseArenaCfg = 157,
  kCreateArenaCfgV2 = 164,
};

struct ApiBase {
  const void* (*GetApi)(uint32_t version);
  const char* (*GetVersionString)();
};

const void* const* api = nullptr;
OrtEnv* env_ = nullptr;
OrtMemoryInfo* cpu_ = nullptr;
std::string version_;
// The environment's CPU arena, shared by every session created with sharedArena (registered once).
bool envArena_ = false;

template <typename F>
F fn(Slot s) {
  return reinterpret_cast<F>(const_cast<void*>(api[s]));
}

// The message of a failed status (and releases it); empty for success.
std::string check(Status s) {
  if (!s) return "";
  std::string msg = fn<const char* (*)(const OrtStatus*)>(kGetErrorMessage)(s);
  fn<void (*)(OrtStatus*)>(kReleaseStatus)(s);
  return msg.empty() ? "unknown ONNX Runtime error" : msg;
}

bool fail(napi_env env, const std::string& what) {
  napi_throw_error(env, nullptr, ("img2img ort: " + what).c_str());
  return false;
}

bool ok(napi_env env, Status s, const char* during) {
  std::string m = check(s);
  return m.empty() ? true : fail(env, std::string(during) + ": " + m);
}

std::string str(napi_env env, napi_value v) {
  size_t n = 0;
  napi_get_value_string_utf8(env, v, nullptr, 0, &n);
  std::string s(n, '\0');
  napi_get_value_string_utf8(env, v, s.data(), n + 1, &n);
  return s;
}

napi_value prop(napi_env env, napi_value obj, const char* name) {
  napi_value v;
  napi_get_named_property(env, obj, name, &v);
  return v;
}

bool has(napi_env env, napi_value obj, const char* name) {
  napi_value v = prop(env, obj, name);
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t != napi_undefined && t != napi_null;
}

int32_t int32(napi_env env, napi_value v) {
  int32_t i = 0;
  napi_get_value_int32(env, v, &i);
  return i;
}

bool boolean(napi_env env, napi_value v) {
  bool b = false;
  napi_get_value_bool(env, v, &b);
  return b;
}

// init(libraryPath): loads ORT, checks the API table, creates the environment. Returns ORT's version.
napi_value Init(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (!api) {
    if (argc < 1) return fail(env, "init takes the library path"), nullptr;
    std::string path = str(env, argv[0]);
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) return fail(env, std::string("cannot load ") + path + ": " + dlerror()), nullptr;
    auto getBase = reinterpret_cast<const ApiBase* (*)()>(dlsym(lib, "OrtGetApiBase"));
    if (!getBase) return fail(env, path + " has no OrtGetApiBase"), nullptr;
    const ApiBase* base = getBase();
    const void* const* table = static_cast<const void* const*>(base->GetApi(13));
    if (!table) return fail(env, "ONNX Runtime offers no C API version 13"), nullptr;
    api = table;
    // The first entries must be CreateStatus / GetErrorCode / GetErrorMessage.
    Status probe = fn<Status (*)(int, const char*)>(kCreateStatus)(2, "img2img-probe");
    const bool sane = probe && fn<int (*)(const OrtStatus*)>(kGetErrorCode)(probe) == 2 &&
                      std::strcmp(fn<const char* (*)(const OrtStatus*)>(kGetErrorMessage)(probe), "img2img-probe") == 0;
    if (probe) fn<void (*)(OrtStatus*)>(kReleaseStatus)(probe);
    if (!sane) {
      api = nullptr;
      return fail(env, "the C API table does not look as expected"), nullptr;
    }
    version_ = base->GetVersionString();
    // The environment is a process-wide singleton in ORT (shared with onnxruntime-node's); errors only.
    if (!ok(env, fn<Status (*)(int, const char*, OrtEnv**)>(kCreateEnv)(3, "img2img", &env_), "CreateEnv")) return api = nullptr, nullptr;
    if (!ok(env, fn<Status (*)(int, int, OrtMemoryInfo**)>(kCreateCpuMemoryInfo)(0, 0, &cpu_), "CreateCpuMemoryInfo")) return api = nullptr, nullptr;
  }
  napi_value v;
  napi_create_string_utf8(env, version_.c_str(), version_.size(), &v);
  return v;
}

struct Session {
  OrtSession* session = nullptr;
  int active = 0;
  bool releasePending = false;
};

void releaseSession(Session* s) {
  if (s->session) fn<void (*)(OrtSession*)>(kReleaseSession)(s->session);
  s->session = nullptr;
}

void finalizeSession(napi_env, void* data, void*) {
  auto* s = static_cast<Session*>(data);
  releaseSession(s);
  delete s;
}

Session* sessionOf(napi_env env, napi_value v) {
  void* data = nullptr;
  if (napi_get_value_external(env, v, &data) != napi_ok || !data) return fail(env, "not a session"), nullptr;
  auto* s = static_cast<Session*>(data);
  if (!s->session) return fail(env, "session already released"), nullptr;
  return s;
}

// createSession(model: Uint8Array, options: {threads?, spinning?, arena?, sharedArena?, arenaExtend?, memPattern?, profilePrefix?}) -> session
napi_value CreateSession(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (!api) return fail(env, "init first"), nullptr;
  napi_typedarray_type type;
  size_t len;
  void* data;
  napi_value ab;
  size_t offset;
  if (argc < 2 || napi_get_typedarray_info(env, argv[0], &type, &len, &data, &ab, &offset) != napi_ok || type != napi_uint8_array) {
    return fail(env, "createSession(model: Uint8Array, options)"), nullptr;
  }
  napi_value o = argv[1];
  OrtSessionOptions* so = nullptr;
  if (!ok(env, fn<Status (*)(OrtSessionOptions**)>(kCreateSessionOptions)(&so), "CreateSessionOptions")) return nullptr;
  auto setInt = [&](Slot s, int v, const char* what) { return ok(env, fn<Status (*)(OrtSessionOptions*, int)>(s)(so, v), what); };
  auto plain = [&](Slot s, const char* what) { return ok(env, fn<Status (*)(OrtSessionOptions*)>(s)(so), what); };
  auto config = [&](const char* k, const char* v) { return ok(env, fn<Status (*)(OrtSessionOptions*, const char*, const char*)>(kAddSessionConfigEntry)(so, k, v), k); };
  bool good = setInt(kSetSessionGraphOptimizationLevel, 99, "graph optimization level") && setInt(kSetSessionExecutionMode, 0, "sequential execution");
  if (good && has(env, o, "threads")) good = setInt(kSetIntraOpNumThreads, int32(env, prop(env, o, "threads")), "intra-op threads") && setInt(kSetInterOpNumThreads, 1, "inter-op threads");
  if (good && has(env, o, "spinning") && !boolean(env, prop(env, o, "spinning"))) {
    good = config("session.intra_op.allow_spinning", "0") && config("session.inter_op.allow_spinning", "0");
  }
  if (good && has(env, o, "arena") && !boolean(env, prop(env, o, "arena"))) good = plain(kDisableCpuMemArena, "arena");
  else if (good && has(env, o, "sharedArena") && boolean(env, prop(env, o, "sharedArena"))) {
    // One arena for all such sessions: a training step's graphs run one after another, so each
    // reuses the blocks the other freed instead of keeping its own peak (ORT's default is an arena
    // per session). arenaExtend: 0 grows in powers of two (ORT's default), 1 by what is asked;
    // the first session that asks for the shared arena fixes it.
    if (!envArena_) {
      const char* keys[] = {"arena_extend_strategy"};
      const size_t values[] = {has(env, o, "arenaExtend") ? static_cast<size_t>(int32(env, prop(env, o, "arenaExtend"))) : 0};
      OrtArenaCfg* cfg = nullptr;
      OrtMemoryInfo* arenaInfo = nullptr;
      good = ok(env, fn<Status (*)(const char* const*, const size_t*, size_t, OrtArenaCfg**)>(kCreateArenaCfgV2)(keys, values, 1, &cfg), "arena config") &&
             ok(env, fn<Status (*)(int, int, OrtMemoryInfo**)>(kCreateCpuMemoryInfo)(1, 0, &arenaInfo), "arena memory info") &&
             ok(env, fn<Status (*)(OrtEnv*, const OrtMemoryInfo*, const OrtArenaCfg*)>(kCreateAndRegisterAllocator)(env_, arenaInfo, cfg), "shared arena");
      if (cfg) fn<void (*)(OrtArenaCfg*)>(kReleaseArenaCfg)(cfg);
      if (arenaInfo) fn<void (*)(OrtMemoryInfo*)>(kReleaseMemoryInfo)(arenaInfo);
      envArena_ = good;
    }
    good = good && config("session.use_env_allocators", "1");
  }
  if (good && has(env, o, "memPattern") && !boolean(env, prop(env, o, "memPattern"))) good = plain(kDisableMemPattern, "memory pattern");
  if (good && has(env, o, "profilePrefix")) {
    std::string p = str(env, prop(env, o, "profilePrefix"));
    good = ok(env, fn<Status (*)(OrtSessionOptions*, const char*)>(kEnableProfiling)(so, p.c_str()), "profiling");
  }
  OrtSession* session = nullptr;
  if (good) {
    good = ok(env, fn<Status (*)(const OrtEnv*, const void*, size_t, const OrtSessionOptions*, OrtSession**)>(kCreateSessionFromArray)(env_, data, len, so, &session),
              "session");
  }
  fn<void (*)(OrtSessionOptions*)>(kReleaseSessionOptions)(so);
  if (!good) return nullptr;
  auto* s = new Session{session};
  napi_value ext;
  napi_create_external(env, s, finalizeSession, nullptr, &ext);
  return ext;
}

struct RunWork {
  Session* session;
  napi_ref sessionRef;
  std::vector<std::string> names;  // inputs, then outputs
  size_t nIn = 0;
  std::vector<OrtValue*> values;   // inputs, then outputs
  std::vector<napi_ref> keep;      // the typed arrays, alive until the run ends
  std::string error;
  napi_deferred deferred;
  napi_async_work work;
};

void execute(napi_env, void* data) {
  auto* w = static_cast<RunWork*>(data);
  std::vector<const char*> names;
  for (auto& n : w->names) names.push_back(n.c_str());
  const size_t nOut = w->names.size() - w->nIn;
  w->error = check(fn<Status (*)(OrtSession*, const void*, const char* const*, const OrtValue* const*, size_t, const char* const*, size_t, OrtValue**)>(kRun)(
      w->session->session, nullptr, names.data(), w->values.data(), w->nIn, names.data() + w->nIn, nOut, w->values.data() + w->nIn));
}

void freeWork(napi_env env, RunWork* w) {
  for (auto* v : w->values) if (v) fn<void (*)(OrtValue*)>(kReleaseValue)(v);
  for (auto r : w->keep) napi_delete_reference(env, r);
  w->session->active--;
  if (w->session->releasePending && w->session->active == 0) releaseSession(w->session);
  napi_delete_reference(env, w->sessionRef);
  delete w;
}

void complete(napi_env env, napi_status, void* data) {
  auto* w = static_cast<RunWork*>(data);
  napi_async_work work = w->work;
  napi_deferred deferred = w->deferred;
  std::string error = w->error;
  freeWork(env, w);
  napi_delete_async_work(env, work);
  if (error.empty()) {
    napi_value undef;
    napi_get_undefined(env, &undef);
    napi_resolve_deferred(env, deferred, undef);
  } else {
    napi_value msg, err;
    std::string m = "ONNX Runtime: " + error;
    napi_create_string_utf8(env, m.c_str(), m.size(), &msg);
    napi_create_error(env, nullptr, msg, &err);
    napi_reject_deferred(env, deferred, err);
  }
}

// Wraps values[i] = [name, typedArray, shape: number[], onnxType] as OrtValues in w (zero-copy).
bool wrap(napi_env env, RunWork* w, napi_value list) {
  uint32_t n = 0;
  napi_get_array_length(env, list, &n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value item, shapeList;
    napi_get_element(env, list, i, &item);
    napi_value nameV, arr, typeV;
    napi_get_element(env, item, 0, &nameV);
    napi_get_element(env, item, 1, &arr);
    napi_get_element(env, item, 2, &shapeList);
    napi_get_element(env, item, 3, &typeV);
    w->names.push_back(str(env, nameV));
    napi_typedarray_type type;
    size_t len;
    void* data;
    napi_value ab;
    size_t offset;
    if (napi_get_typedarray_info(env, arr, &type, &len, &data, &ab, &offset) != napi_ok) return fail(env, w->names.back() + ": not a typed array");
    const size_t elem = type == napi_float32_array ? 4 : type == napi_bigint64_array ? 8 : type == napi_uint8_array ? 1 : 0;
    if (!elem) return fail(env, w->names.back() + ": expected a Float32Array, BigInt64Array or Uint8Array");
    uint32_t rank = 0;
    napi_get_array_length(env, shapeList, &rank);
    std::vector<int64_t> shape(rank);
    size_t count = 1;
    for (uint32_t d = 0; d < rank; d++) {
      napi_value dv;
      napi_get_element(env, shapeList, d, &dv);
      int64_t x = 0;
      napi_get_value_int64(env, dv, &x);
      shape[d] = x;
      count *= static_cast<size_t>(x);
    }
    if (count != len) return fail(env, w->names.back() + ": the array length does not match the shape");
    static float empty[1];
    napi_ref ref;
    napi_create_reference(env, arr, 1, &ref);
    w->keep.push_back(ref);
    OrtValue* v = nullptr;
    std::string m = check(fn<Status (*)(const OrtMemoryInfo*, void*, size_t, const int64_t*, size_t, int, OrtValue**)>(kCreateTensorWithDataAsOrtValue)(
        cpu_, len ? data : empty, len * elem, shape.data(), rank, int32(env, typeV), &v));
    w->values.push_back(v);
    if (!m.empty()) return fail(env, w->names.back() + ": " + m);
  }
  return true;
}

// run(session, inputs: [name, array, shape, onnxType][], outputs: [name, array, shape, onnxType][]) -> Promise<void>
napi_value RunGraph(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 3) return fail(env, "run(session, inputs, outputs)"), nullptr;
  Session* s = sessionOf(env, argv[0]);
  if (!s) return nullptr;
  auto* w = new RunWork{s};
  napi_create_reference(env, argv[0], 1, &w->sessionRef);
  s->active++;
  if (!wrap(env, w, argv[1])) return freeWork(env, w), nullptr;
  w->nIn = w->names.size();
  if (!wrap(env, w, argv[2])) return freeWork(env, w), nullptr;
  napi_value promise, name;
  napi_create_promise(env, &w->deferred, &promise);
  napi_create_string_utf8(env, "img2img.ort.run", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, nullptr, name, execute, complete, w, &w->work);
  napi_queue_async_work(env, w->work);
  return promise;
}

// endProfiling(session) -> the profile file's name
napi_value EndProfiling(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Session* s = argc ? sessionOf(env, argv[0]) : nullptr;
  if (!s) return nullptr;
  OrtAllocator* alloc = nullptr;
  if (!ok(env, fn<Status (*)(OrtAllocator**)>(kGetAllocatorWithDefaultOptions)(&alloc), "allocator")) return nullptr;
  char* file = nullptr;
  if (!ok(env, fn<Status (*)(OrtSession*, OrtAllocator*, char**)>(kSessionEndProfiling)(s->session, alloc, &file), "end profiling")) return nullptr;
  napi_value v;
  napi_create_string_utf8(env, file ? file : "", NAPI_AUTO_LENGTH, &v);
  if (file) check(fn<Status (*)(OrtAllocator*, void*)>(kAllocatorFree)(alloc, file));
  return v;
}

// release(session): frees the session now (or when its last run ends).
napi_value Release(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  void* data = nullptr;
  if (argc < 1 || napi_get_value_external(env, argv[0], &data) != napi_ok || !data) return fail(env, "release(session)"), nullptr;
  auto* s = static_cast<Session*>(data);
  if (s->active) s->releasePending = true;
  else releaseSession(s);
  return nullptr;
}

}  // namespace

NAPI_MODULE_INIT() {
  const struct { const char* name; napi_callback cb; } fns[] = {
      {"init", Init}, {"createSession", CreateSession}, {"run", RunGraph}, {"endProfiling", EndProfiling}, {"release", Release}};
  for (const auto& f : fns) {
    napi_value v;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &v);
    napi_set_named_property(env, exports, f.name, v);
  }
  return exports;
}
