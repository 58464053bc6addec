"""What a SavedModel's graph says about its outputs and losses, for models without a Keras config.

A Keras 3 ``export()`` or a ``tf.Module`` keeps no layers, but its serving signatures name graph tensors,
and the graph summary (:class:`~h5lint.ir.GraphSummary`) keeps how they are computed. A tensor is followed
backwards through ops that pass it on (``Identity``, ``IdentityN``, ``Cast``), into the library function a
call runs (``StatefulPartitionedCall``, ``PartitionedCall``: the callee's return value) and out of a
function through its arguments to what its caller passed, to the op that computes it: the output's
activation (``Softmax``, ``LogSoftmax``, ``Sigmoid``), and before it, through a bias add, the ``MatMul`` or
convolution whose kernel variable is found the same way (``ReadVariableOp`` of a captured variable, whose
checkpoint key the summary records). Anything else (an op the summary leaves out, a cycle) ends the
trace, and the rules then say nothing rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..ir import GraphFunction, GraphNode, GraphSummary, SavedModelInfo, TensorSpec
from .heads import LOG_SOFTMAX, SIGMOID, SOFTMAX

PASS_THROUGH = frozenset({"Identity", "Cast"})  # IdentityN and calls pass output i of input/return i
CALLS = frozenset({"StatefulPartitionedCall", "PartitionedCall"})
ACTIVATIONS = {"Softmax": SOFTMAX, "LogSoftmax": LOG_SOFTMAX, "Sigmoid": SIGMOID}
BIAS_ADDS = frozenset({"BiasAdd", "AddV2", "Add"})
KERNEL_OPS = frozenset({"MatMul", "BatchMatMulV2", "Conv2D", "Conv3D", "DepthwiseConv2dNative"})
# Losses that apply softmax to their "features" input themselves (input 0, the logits).
LOGITS_LOSSES = frozenset({"SoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits"})
READ_VARIABLE = "ReadVariableOp"
REDUCED_PRECISION = {"DT_HALF": "float16", "DT_BFLOAT16": "bfloat16"}
# A hostile graph can make calls recurse or inputs loop; no real chain of pass-through ops is this long.
MAX_STEPS = 10_000
TOP = ""  # the function name of the top-level graph


@dataclass(frozen=True)
class GraphOp:
    """One node found by tracing."""

    op: str
    node: str
    function: str  # the library function holding it; TOP for the top-level graph
    dtype: str | None  # the dtype it outputs ("DT_HALF"), when recorded

    @property
    def place(self) -> str:
        """``op:Softmax in __inference___call___829``, as messages name it."""
        return f"op:{self.op} in {self.function or 'the graph'}"


@dataclass(frozen=True)
class GraphHead:
    """What computes one output of one signature."""

    signature: str
    output: TensorSpec
    producer: GraphOp | None  # the op whose values the output returns (through pass-through ops); None: unknown
    kernel_op: GraphOp | None = None  # the MatMul / convolution computing the activation's input
    kernel: str | None = None  # the checkpoint key of that op's kernel variable

    @property
    def activation(self) -> GraphOp | None:
        return self.producer if self.producer is not None and self.producer.op in ACTIVATIONS else None

    @property
    def last_dim(self) -> int | None:
        shape = self.output.shape
        return shape[-1] if shape and shape[-1] >= 0 else None


@dataclass(frozen=True)
class GraphLoss:
    """A loss that applies softmax itself, given values an activation already squashed."""

    loss: GraphOp
    activation: GraphOp


@dataclass(frozen=True)
class _Frame:
    """One function being traced, and the call that entered it (None: traced from inside it)."""

    name: str
    function: GraphFunction
    caller: _Frame | None = None
    call: GraphNode | None = None


@dataclass(frozen=True)
class _Found:
    frame: _Frame
    name: str
    node: GraphNode

    def op(self) -> GraphOp:
        return GraphOp(self.node.op, self.name, self.frame.name, self.node.dtype)


def _reference(ref: str, top: bool) -> tuple[str, int]:
    """(node or argument, output index) of an input: "x:0" in the graph, "MatMul:product:0" in a function."""
    parts = ref.split(":")
    try:
        if top and len(parts) == 2:
            return parts[0], int(parts[1])
        if not top and len(parts) == 3:
            return parts[0], int(parts[2])
    except ValueError:
        return ref, -1
    return parts[0], 0 if len(parts) == 1 else -1


class _Tracer:
    def __init__(self, summary: GraphSummary) -> None:
        self.summary = summary

    def _callee(self, frame: _Frame, node: GraphNode) -> _Frame | None:
        function = self.summary.functions.get(node.function or "")
        return _Frame(node.function or "", function, frame, node) if function is not None else None

    def producer(self, frame: _Frame, ref: str) -> _Found | None:
        """The op that computes tensor ``ref`` of ``frame``, past pass-through ops, calls and arguments."""
        name, index = _reference(ref, frame.name == TOP)
        for _ in range(MAX_STEPS):
            if index < 0:
                return None
            node = frame.function.nodes.get(name)
            if node is None:
                if name not in frame.function.args or frame.call is None or frame.caller is None:
                    return None  # an op the summary leaves out, or an argument of where the trace began
                position = frame.function.args.index(name)
                if position >= len(frame.call.inputs):
                    return None
                frame, (name, index) = frame.caller, _reference(frame.call.inputs[position], frame.caller.name == TOP)
                continue
            if node.op in CALLS:
                callee = self._callee(frame, node)
                if callee is None or index >= len(callee.function.returns):
                    return None
                frame, (name, index) = callee, _reference(callee.function.returns[index], False)
                continue
            if node.op in PASS_THROUGH or node.op == "IdentityN":
                position = index if node.op == "IdentityN" else 0
                if position >= len(node.inputs):
                    return None
                name, index = _reference(node.inputs[position], frame.name == TOP)
                continue
            return _Found(frame, name, node) if index == 0 else None
        return None

    def variable(self, frame: _Frame, ref: str) -> str | None:
        """The checkpoint key of the variable a resource tensor is: a captured argument of a concrete function."""
        name, _ = _reference(ref, frame.name == TOP)
        for _ in range(MAX_STEPS):
            args = frame.function.args
            if name not in args or name in frame.function.nodes:
                return None
            position = args.index(name)
            captures = frame.function.captures
            first = len(args) - len(captures)
            if captures and position >= first:
                return captures[position - first]
            if frame.call is None or frame.caller is None or position >= len(frame.call.inputs):
                return None
            frame, (name, _) = frame.caller, _reference(frame.call.inputs[position], frame.caller.name == TOP)
        return None

    def _kernel_input(self, found: _Found) -> _Found | None:
        """The MatMul / convolution behind an activation, through one bias add."""
        step = found
        if step.node.op in ACTIVATIONS:
            if not step.node.inputs:
                return None
            step = self.producer(step.frame, step.node.inputs[0])
        if step is not None and step.node.op in BIAS_ADDS:
            sides = [self.producer(step.frame, ref) for ref in step.node.inputs[:2]]
            step = next((s for s in sides if s is not None and s.node.op in KERNEL_OPS), None)
        return step if step is not None and step.node.op in KERNEL_OPS else None

    def kernel(self, found: _Found) -> tuple[GraphOp | None, str | None]:
        op = self._kernel_input(found)
        if op is None or len(op.node.inputs) < 2:
            return None, None
        read = self.producer(op.frame, op.node.inputs[1])  # through the Cast mixed precision adds
        if read is None or read.node.op != READ_VARIABLE or not read.node.inputs:
            return op.op(), None
        return op.op(), self.variable(read.frame, read.node.inputs[0])

    def head(self, signature: str, output: TensorSpec) -> GraphHead:
        top = _Frame(TOP, self.summary.graph)
        found = self.producer(top, output.tensor) if output.tensor else None
        if found is None:
            return GraphHead(signature, output, None)
        kernel_op, kernel = self.kernel(found)
        return GraphHead(signature, output, found.op(), kernel_op, kernel)

    def losses(self) -> Iterator[GraphLoss]:
        for name, function in self.summary.functions.items():
            frame = _Frame(name, function)
            for node_name, node in function.nodes.items():
                if node.op not in LOGITS_LOSSES or not node.inputs:
                    continue
                found = self.producer(frame, node.inputs[0])
                if found is not None and found.node.op in ("Softmax", "Sigmoid"):
                    yield GraphLoss(GraphOp(node.op, node_name, name, node.dtype), found.op())


def graph_heads(info: SavedModelInfo | None) -> tuple[GraphHead, ...]:
    """What computes each output of each signature, in signature and output order."""
    if info is None or info.graph is None:
        return ()
    tracer = _Tracer(info.graph)
    return tuple(tracer.head(sig.key, output) for sig in info.signatures for output in sig.outputs)


def graph_losses(info: SavedModelInfo | None) -> tuple[GraphLoss, ...]:
    """Every softmax-applying loss in the function library whose logits come from a Softmax or Sigmoid."""
    if info is None or info.graph is None:
        return ()
    return tuple(_Tracer(info.graph).losses())


def reduced_precision(dtype: str | None) -> str | None:
    """``float16`` for DT_HALF, ``bfloat16`` for DT_BFLOAT16; None for other dtypes."""
    return REDUCED_PRECISION.get(dtype or "")


def outputs_named(heads: list[GraphHead]) -> str:
    """``output 'output_0' of signatures 'serve' and 'serving_default'``: where a group of heads is served."""
    by_output: dict[str, list[str]] = {}
    for head in heads:
        by_output.setdefault(head.output.name, []).append(head.signature)
    parts = []
    for output, signatures in by_output.items():
        quoted = [f"'{s}'" for s in dict.fromkeys(signatures)]
        which = (
            "signature " + quoted[0]
            if len(quoted) == 1
            else "signatures " + ", ".join(quoted[:-1]) + " and " + quoted[-1]
        )
        parts.append(f"output '{output}' of {which}")
    return "; ".join(parts)
