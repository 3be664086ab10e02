namespace Stratus.Serving.OpenInference;

/// <summary>An infer answer: JSON, or (binary tensor extension) a JSON part followed by raw output bytes.</summary>
public interface IInferResponse : IJsonWritable
{
    /// <summary>The JSON part and the bytes after it when some outputs are binary; null when the answer is all JSON.</summary>
    (byte[] Json, IReadOnlyList<byte[]> Binary)? BinaryParts();
}

/// <summary>The GPU tier's answer, passed on as received (JSON, or binary with its JSON length).</summary>
public sealed class TierInferResponse(byte[] body, int? jsonLength) : IInferResponse
{
    public void WriteTo(System.Text.Json.Utf8JsonWriter writer) => writer.WriteRawValue(body, skipInputValidation: false);

    public (byte[] Json, IReadOnlyList<byte[]> Binary)? BinaryParts() =>
        jsonLength is { } length ? (body[..length], [body[length..]]) : null;
}
