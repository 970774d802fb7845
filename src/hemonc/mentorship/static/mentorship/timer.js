// The projector's round timer: counts down from data-seconds once started.
document.addEventListener("DOMContentLoaded", () => {
  const timer = document.querySelector(".round-timer");
  const start = document.querySelector("[data-timer-start]");
  if (!timer || !start) return;
  let left = Number(timer.dataset.seconds);
  let handle = null;
  const show = () => {
    const minutes = Math.floor(left / 60);
    const seconds = String(left % 60).padStart(2, "0");
    timer.textContent = `${minutes}:${seconds}`;
    timer.classList.toggle("ending", left <= 60);
  };
  start.addEventListener("click", () => {
    if (handle) return;
    start.disabled = true;
    handle = setInterval(() => {
      left = Math.max(0, left - 1);
      show();
      if (left === 0) {
        clearInterval(handle);
        timer.textContent = "Time — please move to your next table";
      }
    }, 1000);
  });
  show();
});
