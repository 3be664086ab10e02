using System.Security.Cryptography;
using System.Text;

namespace Stratus.Experiments.Assignment;

/// <summary>
/// Sticky assignment without a stored lookup: a unit's variant is a pure function of SHA-256 of
/// "{experiment id}:{unit}" and the weights, so it is the same on every instance and across restarts, and a new
/// experiment reshuffles units independently of the last one. SHA-256 rather than a 32-bit FNV: sequential ids
/// ("user-1", "user-2") must spread evenly, and its cost (well under a microsecond) is nothing next to a prediction.
/// </summary>
public static class VariantAssigner
{
    /// <summary>The unit's position in [0, 1) for this experiment.</summary>
    public static double Bucket(string experimentId, string unit)
    {
        // On every routed request: the key is encoded on the stack (ids and units are short), not as a string and an array.
        var length = Encoding.UTF8.GetMaxByteCount(experimentId.Length + 1 + unit.Length);
        var rented = length <= 1024 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        Span<byte> key = rented ?? stackalloc byte[1024];
        var written = Encoding.UTF8.GetBytes(experimentId, key);
        key[written++] = (byte)':';
        written += Encoding.UTF8.GetBytes(unit, key[written..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(key[..written], hash);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }

        return (BitConverter.ToUInt64(hash[..8]) >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>The index of the variant whose share of [0, 1) (weights in order, cumulated) holds the unit's bucket.</summary>
    public static int Assign(string experimentId, string unit, IReadOnlyList<double> weights)
    {
        var bucket = Bucket(experimentId, unit);
        var cumulative = 0.0;
        for (var i = 0; i < weights.Count - 1; i++)
        {
            cumulative += weights[i];
            if (bucket < cumulative)
            {
                return i;
            }
        }

        return weights.Count - 1;
    }
}
