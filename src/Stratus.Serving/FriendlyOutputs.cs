using System.Text.Json;
using Stratus.Core.Models;
using Stratus.Serving.Onnx;

namespace Stratus.Serving;

/// <summary>
/// Predictions of models Stratus trained, in the task's own words: binary <c>{"label", "probability"}</c>,
/// multiclass <c>{"label", "probabilities": {class: p}}</c>, regression <c>{"value"}</c>. Labels come back as
/// they were in the training data (numbers stay numbers).
/// </summary>
public sealed class FriendlyOutputs
{
    private readonly IReadOnlyList<(string Key, string Output)> _keys;
    private readonly IReadOnlyList<string>? _classes;
    private readonly bool _numericLabel;

    private FriendlyOutputs(ModelVersion version)
    {
        _keys = version.Outputs!.Select(p => (p.Key, p.Value)).ToArray();
        _classes = version.Classes;
        _numericLabel = version.Lineage.Spec?.LabelType == Core.Datasets.DatasetColumn.Number;
    }

    /// <summary>Null for models without a friendly mapping (uploaded ONNX): those answer with raw output names.</summary>
    public static FriendlyOutputs? For(ModelVersion version) => version.Outputs is { Count: > 0 } ? new FriendlyOutputs(version) : null;

    public void Write(Utf8JsonWriter writer, IReadOnlyList<TensorData> outputs, int rows)
    {
        var tensors = _keys.Select(k => (k.Key, Tensor: outputs.FirstOrDefault(o => o.Name == k.Output))).Where(k => k.Tensor is not null).ToArray();
        for (var row = 0; row < rows; row++)
        {
            writer.WriteStartObject();
            foreach (var (key, tensor) in tensors)
            {
                writer.WritePropertyName(key);
                var perRow = (int)(tensor!.ElementCount / rows);
                if (key == "probabilities" && _classes is { } classes && classes.Count == perRow)
                {
                    writer.WriteStartObject();
                    for (var c = 0; c < perRow; c++)
                    {
                        writer.WritePropertyName(classes[c]);
                        tensor.WriteValue(writer, (long)row * perRow + c);
                    }

                    writer.WriteEndObject();
                }
                else if (key == "label" && tensor.Data is bool[] flags && _numericLabel)
                {
                    writer.WriteNumberValue(flags[row] ? 1 : 0);
                }
                else if (perRow == 1)
                {
                    tensor.WriteValue(writer, row);
                }
                else
                {
                    writer.WriteStartArray();
                    tensor.WriteValues(writer, (long)row * perRow, perRow);
                    writer.WriteEndArray();
                }
            }

            writer.WriteEndObject();
        }
    }
}
