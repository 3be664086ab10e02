using System.Text.Json;
using Stratus.Core.Errors;
using Stratus.Serving.Onnx;

namespace Stratus.Serving.OpenInference;

/// <summary>Validates a V2 infer request against the model: every input once, matching datatype and shape, data flat or nested.</summary>
public static class V2RequestParser
{
    /// <param name="BinaryOutputs">Outputs to answer as raw bytes (binary tensor extension); null or empty: all JSON.</param>
    public sealed record Parsed(string? Id, IReadOnlyList<TensorData> Inputs, IReadOnlyList<string>? RequestedOutputs, IReadOnlySet<string>? BinaryOutputs = null);

    /// <param name="anyBatch">The caller runs a fixed-batch model row by row, so any batch size is accepted.</param>
    /// <param name="binary">The bytes after the JSON header (binary tensor extension): inputs that declare
    /// <c>parameters.binary_data_size</c> take their data from here, in order.</param>
    public static Parsed Parse(JsonElement root, LoadedModel model, bool anyBatch = false, ReadOnlyMemory<byte> binary = default)
    {
        var binaryAt = 0;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("The request must be an object with an 'inputs' array.");
        }

        string? id = root.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
        var tensors = new List<TensorData>();
        var position = 0;
        foreach (var input in inputs.EnumerateArray())
        {
            if (input.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"inputs[{position}] must be an object with 'name', 'datatype', 'shape' and 'data'.");
            }

            position++;
            var name = input.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : throw Invalid($"inputs[{position - 1}] needs a string 'name'.");
            var slot = model.Inputs.FirstOrDefault(i => i.Name == name)
                ?? throw Invalid($"Model has no input '{name}'; inputs are {string.Join(", ", model.Inputs.Select(i => i.Name))}.");
            if (tensors.Any(t => t.Name == name))
            {
                throw Invalid($"Input '{name}' is given twice.");
            }

            var datatype = input.TryGetProperty("datatype", out var dt) && dt.ValueKind == JsonValueKind.String ? dt.GetString() : null;
            if (!TensorTypes.TryParseV2(datatype, out var type))
            {
                throw Invalid($"Input '{name}' has unknown datatype '{datatype}'.");
            }

            if (type != slot.Type)
            {
                throw Invalid($"Input '{name}' must be {TensorTypes.V2Name(slot.Type)}, not {datatype}.");
            }

            var shape = ReadShape(input, name);
            CheckShape(name, shape, slot.Dimensions, anyBatch && slot.FixedBatch);
            var count = ElementCount(shape, name);

            // Memory is allocated for the data that arrived, never for what a shape declares: the count is checked
            // against the values (or bytes) present before the tensor is allocated.
            Array data;
            if (BinarySize(input, name) is { } size)
            {
                if (size > binary.Length - binaryAt)
                {
                    throw Invalid($"Input '{name}' declares {size} binary bytes but only {binary.Length - binaryAt} follow the JSON.");
                }

                var fits = type == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.String
                    ? count <= size / 4 // each BYTES element carries at least its 4-byte length
                    : count * V2Binary.ElementSize(type) == size;
                if (!fits)
                {
                    throw Invalid(type == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.String
                        ? $"Input '{name}': {size} binary bytes cannot hold the {count} BYTES elements of shape [{string.Join(',', shape)}]."
                        : $"Input '{name}': {size} binary bytes do not fit shape [{string.Join(',', shape)}] of {datatype}, which would need {count * V2Binary.ElementSize(type)}.");
                }

                data = TensorData.Allocate(type, (int)count);
                V2Binary.Read(binary.Span.Slice(binaryAt, size), data, type, name);
                binaryAt += size;
            }
            else
            {
                if (!input.TryGetProperty("data", out var values))
                {
                    throw Invalid($"Input '{name}' has no 'data'.");
                }

                var present = CountValues(values);
                if (present != count)
                {
                    throw Invalid($"Input '{name}' has {present} values but shape [{string.Join(',', shape)}] needs {count}.");
                }

                data = TensorData.Allocate(type, (int)count);
                var filled = 0;
                Fill(values, data, ref filled, name);
            }

            tensors.Add(new TensorData(name, type, shape, data));
        }

        if (binaryAt != binary.Length)
        {
            throw Invalid($"{binary.Length - binaryAt} binary bytes after the JSON belong to no input (set parameters.binary_data_size on each binary input).");
        }

        var missing = model.Inputs.FirstOrDefault(i => tensors.All(t => t.Name != i.Name));
        if (missing is not null)
        {
            throw Invalid($"Input '{missing.Name}' is missing.");
        }

        // Rows are counted from the batch dimension: every batch-dynamic input must agree on it, or a merged batch
        // could pair one caller's rows with another's.
        var batched = model.Inputs.Where(i => i.Dimensions.Length > 0 && i.Dimensions[0] < 0).Select(i => tensors.First(t => t.Name == i.Name)).ToArray();
        if (batched.Select(t => t.Shape[0]).Distinct().Skip(1).Any())
        {
            throw Invalid($"Inputs disagree on the batch dimension: {string.Join(", ", batched.Select(t => $"'{t.Name}' has {t.Shape[0]}"))}.");
        }

        List<string>? requested = null;
        var binaryOutputs = new HashSet<string>(StringComparer.Ordinal);
        var allBinary = Flag(root, "binary_data_output");
        if (root.TryGetProperty("outputs", out var outputs) && outputs.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
        {
            throw Invalid("'outputs' must be an array of {\"name\": …} objects.");
        }

        if (outputs.ValueKind == JsonValueKind.Array)
        {
            requested = [];
            foreach (var output in outputs.EnumerateArray())
            {
                var name = output.ValueKind == JsonValueKind.Object && output.TryGetProperty("name", out var on) && on.ValueKind == JsonValueKind.String ? on.GetString() : null;
                if (name is null)
                {
                    throw Invalid($"outputs[{requested.Count}] must be an object with a string 'name'.");
                }

                if (!model.OutputNames.Contains(name))
                {
                    throw Invalid($"Model has no output '{name}'; outputs are {string.Join(", ", model.OutputNames)}.");
                }

                if (requested.Contains(name))
                {
                    throw Invalid($"Output '{name}' is requested twice.");
                }

                requested.Add(name);
                if (Flag(output, "binary_data"))
                {
                    binaryOutputs.Add(name);
                }
            }

            if (requested.Count == 0)
            {
                requested = null;
            }
        }

        // Inputs in the model's order, as the session expects.
        var ordered = model.Inputs.Select(i => tensors.First(t => t.Name == i.Name)).ToArray();
        if (allBinary)
        {
            binaryOutputs.UnionWith(requested ?? model.OutputNames);
        }

        return new Parsed(id, ordered, requested, binaryOutputs.Count > 0 ? binaryOutputs : null);
    }

    /// <summary>A boolean under <c>parameters</c> (<c>binary_data_output</c> on the request, <c>binary_data</c> on an output).</summary>
    private static bool Flag(JsonElement element, string parameter) =>
        element.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
        && parameters.TryGetProperty(parameter, out var flag) && flag.ValueKind == JsonValueKind.True;

    private static int? BinarySize(JsonElement input, string name)
    {
        if (!input.TryGetProperty("parameters", out var parameters) || parameters.ValueKind != JsonValueKind.Object
            || !parameters.TryGetProperty(V2Binary.DataSizeParameter, out var size))
        {
            return null;
        }

        return size.ValueKind == JsonValueKind.Number && size.TryGetInt32(out var bytes) && bytes >= 0
            ? bytes
            : throw Invalid($"Input '{name}' has an invalid parameters.binary_data_size {size.GetRawText()}.");
    }

    private static long[] ReadShape(JsonElement input, string name)
    {
        if (!input.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"Input '{name}' needs a 'shape' array.");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out shape[i]) || shape[i] < 0)
            {
                throw Invalid($"Input '{name}' has an invalid shape dimension {d.GetRawText()}.");
            }

            i++;
        }

        return shape;
    }

    private static void CheckShape(string name, long[] shape, long[] declared, bool anyBatch)
    {
        var ok = shape.Length == declared.Length;
        for (var i = 0; ok && i < shape.Length; i++)
        {
            ok = declared[i] < 0 || declared[i] == shape[i] || (i == 0 && anyBatch && shape[i] > 0);
        }

        if (!ok)
        {
            throw Invalid($"Input '{name}' has shape [{string.Join(',', shape)}]; the model takes [{string.Join(',', declared)}] (-1 = any).");
        }
    }

    /// <summary>Elements a shape holds; an overflowing or over-large product is the caller's error, never wrapped.</summary>
    private static long ElementCount(long[] shape, string name)
    {
        try
        {
            var count = shape.Aggregate(1L, (a, d) => checked(a * d));
            return count <= int.MaxValue ? count : throw Invalid($"Input '{name}' declares shape [{string.Join(',', shape)}], more elements than one tensor may hold.");
        }
        catch (OverflowException)
        {
            throw Invalid($"Input '{name}' declares shape [{string.Join(',', shape)}], whose element count overflows.");
        }
    }

    /// <summary>The leaf values of flat or nested <c>data</c>, counted without allocating.</summary>
    private static long CountValues(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return 1;
        }

        long count = 0;
        foreach (var item in value.EnumerateArray())
        {
            count += CountValues(item);
        }

        return count;
    }

    private static void Fill(JsonElement value, Array data, ref int filled, string name)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                Fill(item, data, ref filled, name);
            }

            return;
        }

        if (!TensorData.TrySet(data, filled, value))
        {
            throw Invalid($"Input '{name}' value {filled} ({value.GetRawText()}) does not fit its datatype.");
        }

        filled++;
    }

    private static DomainException Invalid(string detail) => DomainException.Invalid("Invalid inference request", detail);
}
