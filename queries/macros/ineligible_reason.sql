-- scalar macro ineligible_reason(priced, on_target, c_prompt_band, t_context_window,
--     inference_geo, t_geo, c_output_band, t_max_output): why a unit cannot move to the
-- target, NULL if it can (or is already there).  A scalar macro, so cost and latency apply the
-- same rules in the same order.
CASE
    WHEN NOT priced THEN 'source model unpriced'
    WHEN on_target THEN NULL
    WHEN t_context_window IS NOT NULL AND c_prompt_band > t_context_window
        THEN 'prompt exceeds target context window'
    WHEN inference_geo = 'us' AND NOT coalesce(t_geo, false)
        THEN 'inference_geo us: target has no regional inference'
    WHEN t_max_output IS NOT NULL AND c_output_band > t_max_output
        THEN 'output exceeds target max output'
END
