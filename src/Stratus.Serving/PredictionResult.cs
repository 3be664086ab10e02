using System.Text.Json;
using Stratus.Serving.Onnx;

namespace Stratus.Serving;

/// <summary>
/// <c>{"model", "version", "requestId", "predictions": [...]}</c>: one object per row keyed by output name,
/// a scalar where the output holds one value per row, else that row's array.
/// </summary>
public sealed class PredictionResult(string model, int version, string requestId, int rows, IReadOnlyList<TensorData> outputs, FriendlyOutputs? friendly = null) : IJsonWritable
{
    public string Model { get; } = model;
    public int Version { get; } = version;
    public string RequestId { get; } = requestId;
    public int Rows { get; } = rows;
    public IReadOnlyList<TensorData> Outputs { get; } = outputs;

    /// <summary>The experiment variant that served the call, when an experiment routed it.</summary>
    public string? Variant { get; init; }

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("model", Model);
        writer.WriteNumber("version", Version);
        writer.WriteString("requestId", RequestId);
        if (Variant is not null)
        {
            writer.WriteString("variant", Variant);
        }

        writer.WriteStartArray("predictions");
        if (friendly is not null)
        {
            friendly.Write(writer, Outputs, Rows);
            writer.WriteEndArray();
            writer.WriteEndObject();
            return;
        }

        for (var row = 0; row < Rows; row++)
        {
            writer.WriteStartObject();
            foreach (var output in Outputs)
            {
                writer.WritePropertyName(output.Name);
                var perRow = output.Shape.Length > 0 && output.Shape[0] == Rows ? output.ElementCount / Rows : -1;
                if (perRow == 1)
                {
                    output.WriteValue(writer, row);
                }
                else if (perRow >= 0)
                {
                    writer.WriteStartArray();
                    output.WriteValues(writer, row * perRow, perRow);
                    writer.WriteEndArray();
                }
                else
                {
                    // Not batched by row (e.g. a model-level constant): give every row the whole tensor.
                    writer.WriteStartArray();
                    output.WriteValues(writer, 0, output.ElementCount);
                    writer.WriteEndArray();
                }
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
