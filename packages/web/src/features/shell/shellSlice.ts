import { createSlice } from '@reduxjs/toolkit';

interface ShellState {
  /** The navbar on small screens, where it slides over the page. */
  navbarOpened: boolean;
}

const initialState: ShellState = { navbarOpened: false };

export const shellSlice = createSlice({
  name: 'shell',
  initialState,
  reducers: {
    toggleNavbar(state) {
      state.navbarOpened = !state.navbarOpened;
    },
    closeNavbar(state) {
      state.navbarOpened = false;
    },
  },
});

export const { toggleNavbar, closeNavbar } = shellSlice.actions;
