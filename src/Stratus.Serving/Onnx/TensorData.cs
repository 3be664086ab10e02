using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Stratus.Serving.Onnx;

/// <summary>
/// A named tensor held in a managed array of its element type (float[], long[], bool[], string[] …).
/// The bridge between JSON on the wire and <see cref="OrtValue"/> in ONNX Runtime.
/// </summary>
public sealed record TensorData(string Name, TensorElementType Type, long[] Shape, Array Data)
{
    public long ElementCount => Data.LongLength;

    /// <summary>Allocates a zeroed array for <paramref name="type"/>.</summary>
    public static Array Allocate(TensorElementType type, int length) => type switch
    {
        TensorElementType.Float => new float[length],
        TensorElementType.Double => new double[length],
        TensorElementType.Int8 => new sbyte[length],
        TensorElementType.Int16 => new short[length],
        TensorElementType.Int32 => new int[length],
        TensorElementType.Int64 => new long[length],
        TensorElementType.UInt8 => new byte[length],
        TensorElementType.UInt16 => new ushort[length],
        TensorElementType.UInt32 => new uint[length],
        TensorElementType.UInt64 => new ulong[length],
        TensorElementType.Bool => new bool[length],
        TensorElementType.String => new string[length],
        _ => throw new NotSupportedException($"Tensor element type {type} is not supported."),
    };

    /// <summary>
    /// Stores a JSON value at <paramref name="index"/>; false when it does not fit the type. Booleans go only
    /// into bool tensors (a <c>true</c> in a numeric feature is a caller bug, not a 1).
    /// </summary>
    public static bool TrySet(Array data, int index, JsonElement value)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            if (data is not bool[] flags)
            {
                return false;
            }

            flags[index] = value.ValueKind == JsonValueKind.True;
            return true;
        }

        if (value.ValueKind == JsonValueKind.String && data is string[] strings)
        {
            strings[index] = value.GetString()!;
            return true;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        // The common case (float features) without going through double.
        if (data is float[] floats && value.TryGetSingle(out var single))
        {
            floats[index] = single;
            return true;
        }

        // Integers keep full precision; everything else goes through double.
        if (data is long[] longs)
        {
            if (!value.TryGetInt64(out var l))
            {
                return false;
            }

            longs[index] = l;
            return true;
        }

        return TrySetNumber(data, index, value.GetDouble());
    }

    public static bool TrySetNumber(Array data, int index, double v)
    {
        switch (data)
        {
            case float[] a: a[index] = (float)v; return true;
            case double[] a: a[index] = v; return true;
            case bool[] a when v is 0 or 1: a[index] = v == 1; return true;
            case bool[]: return false;
        }

        if (Math.Floor(v) != v)
        {
            return false; // integral tensors take whole numbers only
        }

        switch (data)
        {
            case int[] a when v is >= int.MinValue and <= int.MaxValue: a[index] = (int)v; return true;
            case long[] a when v is >= long.MinValue and <= long.MaxValue: a[index] = (long)v; return true;
            case sbyte[] a when v is >= sbyte.MinValue and <= sbyte.MaxValue: a[index] = (sbyte)v; return true;
            case short[] a when v is >= short.MinValue and <= short.MaxValue: a[index] = (short)v; return true;
            case byte[] a when v is >= byte.MinValue and <= byte.MaxValue: a[index] = (byte)v; return true;
            case ushort[] a when v is >= ushort.MinValue and <= ushort.MaxValue: a[index] = (ushort)v; return true;
            case uint[] a when v is >= uint.MinValue and <= uint.MaxValue: a[index] = (uint)v; return true;
            case ulong[] a when v is >= 0 and <= ulong.MaxValue: a[index] = (ulong)v; return true;
            default: return false;
        }
    }

    /// <summary>Wraps the managed array without copying; the array must outlive the returned value.</summary>
    public OrtValue ToOrtValue() => Data switch
    {
        float[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        double[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        int[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        long[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        bool[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        sbyte[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        short[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        byte[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        ushort[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        uint[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        ulong[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        string[] a => OrtValue.CreateFromStringTensor(new DenseTensor<string>(a, Array.ConvertAll(Shape, d => (int)d))),
        _ => throw new NotSupportedException($"Tensor '{Name}' of {Data.GetType().Name} is not supported."),
    };

    /// <summary>Copies an ONNX Runtime output into managed memory so the native value can be released at once.</summary>
    public static TensorData FromOrtValue(string name, OrtValue value)
    {
        if (!value.IsTensor)
        {
            throw new NotSupportedException($"Output '{name}' is a {value.OnnxType}, not a tensor.");
        }

        var info = value.GetTensorTypeAndShape();
        Array data = info.ElementDataType switch
        {
            TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray(),
            TensorElementType.Double => value.GetTensorDataAsSpan<double>().ToArray(),
            TensorElementType.Int32 => value.GetTensorDataAsSpan<int>().ToArray(),
            TensorElementType.Int64 => value.GetTensorDataAsSpan<long>().ToArray(),
            TensorElementType.Bool => value.GetTensorDataAsSpan<bool>().ToArray(),
            TensorElementType.Int8 => value.GetTensorDataAsSpan<sbyte>().ToArray(),
            TensorElementType.Int16 => value.GetTensorDataAsSpan<short>().ToArray(),
            TensorElementType.UInt8 => value.GetTensorDataAsSpan<byte>().ToArray(),
            TensorElementType.UInt16 => value.GetTensorDataAsSpan<ushort>().ToArray(),
            TensorElementType.UInt32 => value.GetTensorDataAsSpan<uint>().ToArray(),
            TensorElementType.UInt64 => value.GetTensorDataAsSpan<ulong>().ToArray(),
            TensorElementType.String => value.GetStringTensorAsArray(),
            var other => throw new NotSupportedException($"Output '{name}' has unsupported element type {other}."),
        };
        return new TensorData(name, info.ElementDataType, info.Shape, data);
    }

    /// <summary>Writes elements [start, start+count) as JSON values.</summary>
    public void WriteValues(Utf8JsonWriter writer, long start, long count)
    {
        for (var i = start; i < start + count; i++)
        {
            WriteValue(writer, i);
        }
    }

    public void WriteValue(Utf8JsonWriter writer, long i)
    {
        switch (Data)
        {
            case float[] a: WriteFloat(writer, a[i]); break;
            case double[] a: WriteDouble(writer, a[i]); break;
            case int[] a: writer.WriteNumberValue(a[i]); break;
            case long[] a: writer.WriteNumberValue(a[i]); break;
            case bool[] a: writer.WriteBooleanValue(a[i]); break;
            case sbyte[] a: writer.WriteNumberValue(a[i]); break;
            case short[] a: writer.WriteNumberValue(a[i]); break;
            case byte[] a: writer.WriteNumberValue(a[i]); break;
            case ushort[] a: writer.WriteNumberValue(a[i]); break;
            case uint[] a: writer.WriteNumberValue(a[i]); break;
            case ulong[] a: writer.WriteNumberValue(a[i]); break;
            case string[] a: writer.WriteStringValue(a[i]); break;
        }
    }

    // JSON has no NaN or infinity; write them as null rather than failing the whole response.
    private static void WriteFloat(Utf8JsonWriter writer, float v)
    {
        if (float.IsFinite(v))
        {
            writer.WriteNumberValue(v);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double v)
    {
        if (double.IsFinite(v))
        {
            writer.WriteNumberValue(v);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
