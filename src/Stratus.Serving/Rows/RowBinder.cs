using System.Text.Json;
using Stratus.Core.Errors;
using Stratus.Serving.Onnx;

namespace Stratus.Serving.Rows;

/// <summary>
/// Turns <c>instances</c> (arrays of numbers in input order, or objects keyed by feature name) into one
/// tensor per model input, validating every value against the signature. Errors name the instance and field.
/// </summary>
public static class RowBinder
{
    public static TensorData[] Bind(JsonElement instances, InputLayout model, FeatureIndex? features, int maxInstances)
    {
        if (instances.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("'instances' must be an array of rows.");
        }

        var rows = instances.GetArrayLength();
        if (rows == 0)
        {
            throw Invalid("'instances' is empty; send at least one row.");
        }

        if (rows > maxInstances)
        {
            throw Invalid($"'instances' holds {rows} rows; at most {maxInstances} are accepted per call.");
        }

        var unbindable = model.UnbindableInput;
        if (unbindable is not null)
        {
            throw Invalid($"Input '{unbindable.Name}' ({TensorTypes.OnnxName(unbindable.Type)}, shape [{string.Join(',', unbindable.Dimensions)}]) cannot be bound from rows; use the Open Inference Protocol endpoint POST /v2/models/{model.Model}/infer.");
        }

        var width = model.RowWidth;
        CheckRowSizes(instances, width, features);
        var tensors = new TensorData[model.Inputs.Count];
        for (var s = 0; s < tensors.Length; s++)
        {
            var slot = model.Inputs[s];
            tensors[s] = new TensorData(slot.Name, slot.Type, slot.BatchShape(rows), TensorData.Allocate(slot.Type, rows * slot.RowWidth));
        }

        var columnSlot = model.ColumnSlot;
        var columnInner = model.ColumnInner;
        bool[]? seen = null;
        var i = 0;
        foreach (var row in instances.EnumerateArray())
        {
            switch (row.ValueKind)
            {
                case JsonValueKind.Array:
                    var count = row.GetArrayLength();
                    if (count != width)
                    {
                        throw Invalid($"instances[{i}] has {count} values; the model takes {width}{Describe(features)}.");
                    }

                    var c = 0;
                    foreach (var value in row.EnumerateArray())
                    {
                        Set(tensors, model, columnSlot[c], columnInner[c], i, value, new Field(i, c, null, features));
                        c++;
                    }

                    break;

                case JsonValueKind.Object when features is not null:
                    seen ??= new bool[width];
                    Array.Clear(seen);
                    foreach (var property in row.EnumerateObject())
                    {
                        if (!features.Columns.TryGetValue(property.Name, out var column))
                        {
                            throw Invalid($"instances[{i}] has unknown feature '{property.Name}'{Describe(features)}.");
                        }

                        seen[column] = true;
                        Set(tensors, model, columnSlot[column], columnInner[column], i, property.Value, new Field(i, column, property.Name, features));
                    }

                    var missing = Array.IndexOf(seen, false);
                    if (missing >= 0)
                    {
                        throw Invalid($"instances[{i}] is missing feature '{features.Names[missing]}'.");
                    }

                    break;

                case JsonValueKind.Object:
                    throw Invalid($"instances[{i}] is an object, but model '{model.Model}' has no feature names; send an array of {width} numbers, or set 'featureNames' on the model card.");

                default:
                    throw Invalid($"instances[{i}] must be an array of numbers or an object keyed by feature name.");
            }

            i++;
        }

        return tensors;
    }

    /// <summary>
    /// Every row's size is checked before the tensors are allocated: memory follows what the caller sent, so a few
    /// bytes of empty rows cannot ask for rows × width elements.
    /// </summary>
    private static void CheckRowSizes(JsonElement instances, int width, FeatureIndex? features)
    {
        var i = 0;
        foreach (var row in instances.EnumerateArray())
        {
            var size = row.ValueKind switch
            {
                JsonValueKind.Array => row.GetArrayLength(),
                JsonValueKind.Object when features is not null => CountProperties(row),
                _ => width, // wrong kinds are named by the binding itself
            };
            if (row.ValueKind == JsonValueKind.Array && size != width)
            {
                throw Invalid($"instances[{i}] has {size} values; the model takes {width}{Describe(features)}.");
            }

            if (row.ValueKind == JsonValueKind.Object && size != width)
            {
                foreach (var property in row.EnumerateObject())
                {
                    if (!features!.Columns.ContainsKey(property.Name))
                    {
                        throw Invalid($"instances[{i}] has unknown feature '{property.Name}'{Describe(features)}.");
                    }
                }

                var missing = features!.Names.FirstOrDefault(n => !row.TryGetProperty(n, out _));
                throw Invalid(missing is not null && size < width
                    ? $"instances[{i}] is missing feature '{missing}'."
                    : $"instances[{i}] has {size} features; the model takes {width}{Describe(features)}.");
            }

            i++;
        }
    }

    private static int CountProperties(JsonElement row)
    {
        var count = 0;
        foreach (var _ in row.EnumerateObject())
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// Where a value sits, named only when it is refused: building "instances[i][c] ('feature')" for every value had been
    /// most of what a predict call allocated (about 6 KB of strings for a 30-feature row).
    /// </summary>
    private readonly record struct Field(int Row, int Column, string? Property, FeatureIndex? Features)
    {
        public override string ToString() =>
            Property is not null ? $"instances[{Row}].{Property}" : $"instances[{Row}][{Column}]{Named(Features, Column)}";
    }

    private static void Set(TensorData[] tensors, InputLayout model, int slot, int inner, int row, JsonElement value, Field field)
    {
        var width = model.Inputs[slot].RowWidth;
        if (!TensorData.TrySet(tensors[slot].Data, row * width + inner, value))
        {
            var type = TensorTypes.OnnxName(model.Inputs[slot].Type);
            var expected = type switch { "bool" => "boolean", "string" => "string", _ => type + " number" };
            throw Invalid($"{field} must be a {expected}, not {Show(value)}.");
        }
    }

    private static string Named(FeatureIndex? features, int column) => features is null ? "" : $" ('{features.Names[column]}')";

    private static string Describe(FeatureIndex? features) =>
        features is null ? "" : $" (features: {string.Join(", ", features.Names.Take(40))}{(features.Names.Count > 40 ? ", …" : "")})";

    private static string Show(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length > 40 ? raw[..40] + "…" : raw;
    }

    private static DomainException Invalid(string detail) => DomainException.Invalid("Invalid instances", detail);
}
