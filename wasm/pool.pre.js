// Emscripten --pre-js of the threaded flavour: the pthread pool size read by -sPTHREAD_POOL_SIZE=Module.ptrmPoolSize.
// ptrm.js sets it to the requested thread count; 4 covers direct users of createPtrm() on typical machines.
Module['ptrmPoolSize'] = Module['ptrmPoolSize'] || 4;
