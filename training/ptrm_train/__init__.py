"""ptrm_train: the trainer's pieces (data, augmentation, optimizers, loss, evaluation) around ptrm_ref's TRM."""
