"""``h5lint fix``: rewrite the stored configs of a model into a NEW file that the target runtime loads.

One module per family of transformations (:mod:`.arguments`, :mod:`.inputs`, :mod:`.dtype_policies`,
:mod:`.nested_models`, :mod:`.modules`, :mod:`.sequential_lists`, :mod:`.axes`, :mod:`.initializers`,
:mod:`.compile_settings`), what it will not do (:mod:`.refusals`), the plan (:mod:`.plan`), writing the copy
(:mod:`.write`) and the command (:mod:`.run`).
"""
