namespace Stratus.Core.Models;

/// <summary>A model's inputs and outputs as read from its ONNX graph.</summary>
public sealed record ModelSignature(IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs);

/// <summary>
/// One tensor of a signature. <paramref name="ElementType"/> uses ONNX names in lower case
/// (float, double, int32, int64, bool, string …); -1 in <paramref name="Shape"/> marks a dynamic dimension.
/// </summary>
public sealed record TensorSpec(string Name, string ElementType, IReadOnlyList<long> Shape);
