using System.Globalization;
using System.Text.Json;

namespace Stratus.Serving.Outputs;

/// <summary>
/// Class labels compared as text, spelled one way whatever produced them: a model's bool or integer label output,
/// a CSV cell, or a JSON label in feedback. Booleans are "1"/"0" (binary models answer bools or 0/1), whole numbers
/// drop their decimals ("2", not "2.0").
/// </summary>
public static class ClassLabels
{
    private static readonly string[] SmallWholeNumbers = Enumerable.Range(0, 256).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>A number as a label; the common small class numbers come from a table (this runs for every served row).</summary>
    public static string FromNumber(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? value is >= 0 and < 256 ? SmallWholeNumbers[(int)value] : ((long)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);

    public static string FromText(string text)
    {
        var trimmed = text.Trim();
        if (bool.TryParse(trimmed, out var flag))
        {
            return flag ? "1" : "0";
        }

        return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? FromNumber(number) : trimmed;
    }

    /// <summary>Null when the JSON value is not a label (an object, an array, null).</summary>
    public static string? FromJson(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => "1",
        JsonValueKind.False => "0",
        JsonValueKind.Number => FromNumber(value.GetDouble()),
        JsonValueKind.String => FromText(value.GetString()!),
        _ => null,
    };
}
