namespace Stratus.Serving.OpenInference;

/// <summary>The Open Inference Protocol's server metadata (<c>GET /v2</c>): name, version and the protocol extensions served.</summary>
public sealed record V2ServerMetadata(string Name, string Version, IReadOnlyList<string> Extensions)
{
    /// <summary>Extensions both the function app and the GPU tier speak.</summary>
    public static readonly IReadOnlyList<string> Supported = ["binary_tensor_data"];

    public static V2ServerMetadata For(string name) =>
        new(name, typeof(V2ServerMetadata).Assembly.GetName().Version?.ToString() ?? "0.0.0", Supported);
}
