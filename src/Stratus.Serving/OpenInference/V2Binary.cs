using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime.Tensors;
using Stratus.Core.Http;
using Stratus.Core.Errors;
using Stratus.Serving.Onnx;

namespace Stratus.Serving.OpenInference;

/// <summary>
/// The binary tensor extension of the Open Inference Protocol: large inputs (images) travel as raw little-endian
/// bytes after the JSON header instead of as JSON numbers (a 224×224 RGB image: 602 KB raw vs ~1.2 MB of JSON).
/// </summary>
public static class V2Binary
{
    /// <summary>The tensor parameter that says its data follows the JSON, and how many bytes of it.</summary>
    public const string DataSizeParameter = "binary_data_size";

    /// <summary>Splits a body into its JSON part and the binary part after it (<see cref="StratusHeaders.InferenceHeaderContentLength"/>).</summary>
    public static (ReadOnlyMemory<byte> Json, ReadOnlyMemory<byte> Binary) Split(ReadOnlyMemory<byte> body, string? headerLength)
    {
        if (string.IsNullOrEmpty(headerLength))
        {
            return (body, ReadOnlyMemory<byte>.Empty);
        }

        if (!int.TryParse(headerLength, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > body.Length)
        {
            throw Invalid($"{StratusHeaders.InferenceHeaderContentLength} must be the byte length of the JSON part (0 to {body.Length}); got '{headerLength}'.");
        }

        return (body[..length], body[length..]);
    }

    /// <summary>Bytes one element of <paramref name="type"/> takes in the binary part; 0 for BYTES (length-prefixed).</summary>
    public static int ElementSize(TensorElementType type) => type switch
    {
        TensorElementType.Bool or TensorElementType.Int8 or TensorElementType.UInt8 => 1,
        TensorElementType.Int16 or TensorElementType.UInt16 => 2,
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
        TensorElementType.Double or TensorElementType.Int64 or TensorElementType.UInt64 => 8,
        _ => 0,
    };

    /// <summary>Fills <paramref name="data"/> (a zeroed array of the input's type) from its raw bytes.</summary>
    public static void Read(ReadOnlySpan<byte> source, Array data, TensorElementType type, string input)
    {
        if (type == TensorElementType.String)
        {
            ReadStrings(source, (string[])data, input);
            return;
        }

        var expected = (long)data.Length * ElementSize(type);
        if (source.Length != expected)
        {
            throw Invalid($"Input '{input}' has {source.Length} binary bytes; its shape and datatype need {expected}.");
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The binary tensor extension is little-endian.");
        }

        if (data is bool[] flags)
        {
            for (var i = 0; i < flags.Length; i++)
            {
                flags[i] = source[i] != 0;
            }

            return;
        }

        source.CopyTo(RawBytes(data, input));
    }

    /// <summary>A tensor's data as the binary part carries it (the inverse of <see cref="Read"/>).</summary>
    public static byte[] Write(TensorData tensor)
    {
        switch (tensor.Data)
        {
            case bool[] flags:
                return flags.Select(f => f ? (byte)1 : (byte)0).ToArray();
            case string[] strings:
            {
                using var buffer = new MemoryStream();
                Span<byte> prefix = stackalloc byte[4];
                foreach (var value in strings)
                {
                    var bytes = System.Text.Encoding.UTF8.GetBytes(value ?? "");
                    BinaryPrimitives.WriteInt32LittleEndian(prefix, bytes.Length);
                    buffer.Write(prefix);
                    buffer.Write(bytes);
                }

                return buffer.ToArray();
            }

            default:
                return RawBytes(tensor.Data, tensor.Name).ToArray();
        }
    }

    /// <summary>A numeric array's memory as bytes (little-endian, as the extension carries them): one view for reading and writing.</summary>
    private static Span<byte> RawBytes(Array data, string tensor) => data switch
    {
        float[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        double[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        sbyte[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        short[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        int[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        long[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        byte[] a => a,
        ushort[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        uint[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ulong[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        _ => throw Invalid($"Tensor '{tensor}' has a datatype the binary extension does not carry."),
    };

    /// <summary>BYTES elements: each a 4-byte little-endian length, then that many UTF-8 bytes.</summary>
    private static void ReadStrings(ReadOnlySpan<byte> source, string[] data, string input)
    {
        var at = 0;
        for (var i = 0; i < data.Length; i++)
        {
            if (source.Length - at < 4)
            {
                throw Invalid($"Input '{input}' ends before element {i} of {data.Length}.");
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(source[at..]);
            at += 4;
            if (length < 0 || length > source.Length - at)
            {
                throw Invalid($"Input '{input}' element {i} claims {length} bytes past the end of its data.");
            }

            data[i] = System.Text.Encoding.UTF8.GetString(source.Slice(at, length));
            at += length;
        }

        if (at != source.Length)
        {
            throw Invalid($"Input '{input}' has {source.Length - at} binary bytes beyond its {data.Length} elements.");
        }
    }

    private static DomainException Invalid(string detail) => DomainException.Invalid("Invalid inference request", detail);
}
