using System.Text.Json;

namespace Stratus.Serving;

/// <summary>A response that writes itself straight to the wire, without an intermediate object graph.</summary>
public interface IJsonWritable
{
    void WriteTo(Utf8JsonWriter writer);
}
