using Grpc.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Stratus.Functions.Orchestrations;

/// <summary>The one rule for "start this instance unless it exists": decided by the gRPC status the engine answers, never by message text.</summary>
public static class DurableStarts
{
    /// <summary>An instance with the id, whatever its state, is never replaced by a second start.</summary>
    private static readonly string[] NeverReplace = Enum.GetNames<OrchestrationRuntimeStatus>();

    /// <summary>Starts <paramref name="orchestrator"/> as <paramref name="instanceId"/>; false when an instance with that id already exists.</summary>
    public static async Task<bool> StartOnceAsync(this DurableTaskClient durable, string orchestrator, object input, string instanceId, CancellationToken cancellationToken)
    {
        if (await durable.GetInstanceAsync(instanceId, cancellationToken) is not null)
        {
            return false; // the common case (a redelivery, a second firing), answered without a failed start
        }

        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(orchestrator, input, new StartOrchestrationOptions(instanceId) { DedupeStatuses = NeverReplace }, cancellationToken);
            return true;
        }
        catch (Exception e) when (IsAlreadyExists(e))
        {
            return false;
        }
    }

    /// <summary>True when the engine refused a start because the instance exists (the status may arrive wrapped by the client).</summary>
    public static bool IsAlreadyExists(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is RpcException { StatusCode: StatusCode.AlreadyExists })
            {
                return true;
            }
        }

        return false;
    }
}
