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
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{experimentId}:{unit}"), hash);
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
