using System.Globalization;
using Stratus.Core.Text;

namespace Stratus.Storage;

/// <summary>Table key pieces shared by the stores: caller-chosen text made key-safe, windows and stable buckets.</summary>
internal static class TableKeys
{
    public const string WindowFormat = "yyyyMMddHHmm";

    /// <summary>Caller text (a request id) in a key: '/', '\', '#', '?' and control characters are not allowed there.</summary>
    public static string Escape(string text) => Uri.EscapeDataString(text);

    public static string Window(DateTimeOffset start) => start.UtcDateTime.ToString(WindowFormat, CultureInfo.InvariantCulture);

    public static string ModelVersion(string model, int version) => $"{model}:{version.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A stable bucket of <paramref name="text"/> in [0, <paramref name="buckets"/>): the same on every instance and run.</summary>
    public static int Bucket(string text, int buckets) => (int)(StableHash.Of(text) % (uint)buckets);

    /// <summary>Newest first: row keys that sort in reverse time order.</summary>
    public static string ReverseTime(DateTimeOffset time) => (DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
}
