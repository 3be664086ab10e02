using Microsoft.ML.OnnxRuntime.Tensors;

namespace Stratus.Serving.Onnx;

/// <summary>Names of tensor element types: ONNX-style lower case in signatures, Open Inference Protocol datatypes on V2.</summary>
public static class TensorTypes
{
    private static readonly (TensorElementType Type, string Onnx, string V2)[] Table =
    [
        (TensorElementType.Float, "float", "FP32"),
        (TensorElementType.Double, "double", "FP64"),
        (TensorElementType.Float16, "float16", "FP16"),
        (TensorElementType.Int8, "int8", "INT8"),
        (TensorElementType.Int16, "int16", "INT16"),
        (TensorElementType.Int32, "int32", "INT32"),
        (TensorElementType.Int64, "int64", "INT64"),
        (TensorElementType.UInt8, "uint8", "UINT8"),
        (TensorElementType.UInt16, "uint16", "UINT16"),
        (TensorElementType.UInt32, "uint32", "UINT32"),
        (TensorElementType.UInt64, "uint64", "UINT64"),
        (TensorElementType.Bool, "bool", "BOOL"),
        (TensorElementType.String, "string", "BYTES"),
    ];

    public static string OnnxName(TensorElementType type) =>
        Array.Find(Table, t => t.Type == type).Onnx ?? type.ToString().ToLowerInvariant();

    public static string V2Name(TensorElementType type) =>
        Array.Find(Table, t => t.Type == type).V2 ?? type.ToString().ToUpperInvariant();

    public static bool TryParseV2(string? datatype, out TensorElementType type)
    {
        foreach (var entry in Table)
        {
            // FP16 is named (for metadata) but not accepted as input data.
            if (entry.Type != TensorElementType.Float16 && string.Equals(entry.V2, datatype, StringComparison.Ordinal))
            {
                type = entry.Type;
                return true;
            }
        }

        type = default;
        return false;
    }

    public static TensorElementType FromOnnxName(string name) =>
        Array.Find(Table, t => t.Onnx == name) is { Onnx: not null } entry ? entry.Type : TensorElementType.DataTypeMax;

    /// <summary>Types whose values arrive as JSON numbers (or booleans) and can be bound from rows.</summary>
    public static bool IsNumericOrBool(TensorElementType type) => type is not (TensorElementType.String or TensorElementType.Float16 or TensorElementType.DataTypeMax);
}
