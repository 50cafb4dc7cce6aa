"""The estimator parameter protocol (``get_params``/``set_params``) without importing
scikit-learn, so that a process that only loads a model and answers queries stays light.

Objects built on :class:`ParamsMixin` work with :func:`sklearn.base.clone` and model
selection tools, which rely on these two methods only.
"""

from __future__ import annotations

import inspect

__all__ = ["ParamsMixin"]


class ParamsMixin:
    """``get_params``, ``set_params`` and a short ``repr`` from the keyword parameters of
    ``__init__`` (stored unchanged as attributes of the same name).

    Examples
    --------
    >>> class Scorer(ParamsMixin):
    ...     def __init__(self, *, weight=0.5, pooling="max"):
    ...         self.weight = weight
    ...         self.pooling = pooling
    >>> s = Scorer(weight=0.2)
    >>> s.get_params()
    {'pooling': 'max', 'weight': 0.2}
    >>> s.set_params(pooling="mean")
    Scorer(weight=0.2, pooling='mean')
    """

    @classmethod
    def _get_param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        params = inspect.signature(init).parameters.values()
        return sorted(p.name for p in params if p.name != "self" and p.kind != p.VAR_KEYWORD)

    def get_params(self, deep: bool = True) -> dict:
        """Return the constructor parameters (and, with ``deep``, those of nested estimators)."""
        out = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            out[name] = value
        return out

    def set_params(self, **params):
        """Set constructor parameters; an unknown name raises ``ValueError`` listing the valid ones."""
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"invalid parameter {name!r} for {type(self).__name__}; "
                                 f"valid parameters: {', '.join(valid)}")
            setattr(self, name, value)
        return self

    def __sklearn_tags__(self):
        """scikit-learn's estimator tags (read by its validation tools, such as ``check_is_fitted``).

        Only scikit-learn calls this, so importing it here costs a query process nothing.
        """
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=False))

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__).parameters
        changed = []
        for name, p in sig.items():
            if name == "self" or p.kind == p.VAR_KEYWORD:
                continue
            value = getattr(self, name, p.default)
            if p.default is p.empty or value is not p.default and value != p.default:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"
