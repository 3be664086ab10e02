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

    /// <summary>
    /// The exclusive upper key of the windows that start before <paramref name="to"/>. Keys have minute precision, so a
    /// window that started earlier in <paramref name="to"/>'s own minute (read at 18:00:30, the window of 18:00) sorts
    /// after <c>Window(to)</c>; the bound is then the next minute.
    /// </summary>
    public static string WindowsBefore(DateTimeOffset to)
    {
        var minute = TimeSpan.TicksPerMinute;
        var floor = to.UtcTicks - (to.UtcTicks % minute);
        return Window(new DateTimeOffset(floor == to.UtcTicks ? floor : floor + minute, TimeSpan.Zero));
    }

    public static string ModelVersion(string model, int version) => $"{model}:{version.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A stable bucket of <paramref name="text"/> in [0, <paramref name="buckets"/>): the same on every instance and run.</summary>
    public static int Bucket(string text, int buckets) => (int)(StableHash.Of(text) % (uint)buckets);

    /// <summary>Newest first: row keys that sort in reverse time order.</summary>
    public static string ReverseTime(DateTimeOffset time) => (DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
}
