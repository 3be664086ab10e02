using Stratus.Core.Models;
using Stratus.Serving.Onnx;

namespace Stratus.Serving.Observation;

/// <summary>
/// One served predict or V2 infer call, as observers see it: which version served it and where, the bound input
/// tensors (rows first) and the outputs, how long serving took, and the experiment variant it was routed to. Built off
/// the request path. A call an experiment routed that failed is observed too, with its <see cref="Error"/> and no rows,
/// so variants' error rates can be compared.
/// </summary>
public sealed record ServedPrediction(
    string Model,
    int Version,
    string RequestId,
    string Protocol,
    ServingTier Tier,
    int Rows,
    IReadOnlyList<TensorData> Inputs,
    IReadOnlyList<TensorData> Outputs,
    DateTimeOffset ServedAt,
    Registry.VariantAssignment? Assignment = null,
    TimeSpan Elapsed = default,
    string? Error = null);
