namespace Stratus.Core.Text;

/// <summary>
/// A 32-bit FNV-1a hash of a string's UTF-16 code units: the same on every instance and run (string.GetHashCode is
/// randomised per process), for buckets and sampling decided by a request id.
/// </summary>
public static class StableHash
{
    public static uint Of(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
