using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;

namespace Stratus.Dashboard;

/// <summary>
/// The dashboard's files, read once from this assembly's embedded resources (the build bundles <c>web/</c> into
/// them), so the same binary serves it under the local runner and in Azure with nothing on disk.
/// </summary>
public sealed class DashboardAssets
{
    public const string IndexName = "index.html";

    /// <summary>The page and its bundle: no frames, no third-party origins (Chart.js is bundled), no inline script.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private const string ResourcePrefix = "dashboard/";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
    };

    private readonly Dictionary<string, DashboardAsset> _assets;

    public DashboardAssets()
        : this(typeof(DashboardAssets).Assembly)
    {
    }

    internal DashboardAssets(Assembly assembly)
    {
        _assets = new(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var name = resource[ResourcePrefix.Length..];
            var content = buffer.ToArray();
            var hash = Convert.ToHexStringLower(SHA256.HashData(content))[..16];
            _assets[name] = new DashboardAsset(
                name,
                ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream"),
                $"\"{hash}\"",
                content,
                $"\"{hash}-gz\"", // a different representation, so a different strong ETag
                Gzip(content));
        }
    }

    public IReadOnlyCollection<string> Names => _assets.Keys;

    /// <summary>The asset at a path below the dashboard's root; the root itself is the page. Null when there is none.</summary>
    public DashboardAsset? Find(string? path)
    {
        var name = string.IsNullOrEmpty(path) || path == "/" ? IndexName : path.TrimStart('/');
        return _assets.GetValueOrDefault(name);
    }

    private static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }
}
