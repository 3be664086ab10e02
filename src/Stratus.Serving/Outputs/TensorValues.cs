using System.Globalization;

namespace Stratus.Serving.Outputs;

/// <summary>One element of a tensor's managed array as a number or as text, whatever its element type.</summary>
public static class TensorValues
{
    public static double Number(Array data, long i) => data switch
    {
        float[] v => v[i],
        double[] v => v[i],
        long[] v => v[i],
        int[] v => v[i],
        short[] v => v[i],
        sbyte[] v => v[i],
        byte[] v => v[i],
        ushort[] v => v[i],
        uint[] v => v[i],
        ulong[] v => v[i],
        bool[] v => v[i] ? 1 : 0,
        string[] v => double.TryParse(v[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : double.NaN,
        _ => double.NaN,
    };

    /// <summary>Text for string tensors; null for numeric ones (read those with <see cref="Number"/>).</summary>
    public static string? Text(Array data, long i) => data is string[] v ? v[i] : null;
}
