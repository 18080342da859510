"""ptrm_ref: the PyTorch reference TRM of ptrm (model, config, safetensors I/O, model files)."""
from .config import ConfigError, ModelConfig, swiglu_inter
from .model import TRM, TRMInner, build_model, rollout
from .ptrm_file import ModelFileError, load_ptrm, read_ptrm, save_ptrm, write_ptrm

__all__ = ["ConfigError", "ModelConfig", "swiglu_inter", "TRM", "TRMInner", "build_model", "rollout",
           "ModelFileError", "load_ptrm", "read_ptrm", "save_ptrm", "write_ptrm"]
